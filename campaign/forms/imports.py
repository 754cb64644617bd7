"""The upload form of the bulk import page (one per workbook kind, told apart by prefix)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm

XLSX_TYPES = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(PortalForm):
    # Size and content are checked by the import service, which reports them like row errors.
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": XLSX_TYPES, "class": "form-control"}),
    )
