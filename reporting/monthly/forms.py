"""The monthly upload's forms: the receipt a county confirms with, and the format editor."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.dates import validate_plausible
from core.forms import PortalForm
from hazards.models import HazardCategory
from reporting.monthly.layout import FIELDS

MAX_COLUMNS = 60
MAX_HEADING = 60


class ConfirmForm(PortalForm):
    receipt_number = forms.CharField(
        label=gettext_lazy("Provincial receipt number"), max_length=60, strip=True
    )
    receipt_date = forms.DateField(
        label=gettext_lazy("Receipt date"),
        validators=[validate_plausible],
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _lines(text):
    """(line number, text) of the non-empty lines."""
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if line:
            yield number, line


def _split(line, separators):
    for sep in separators:
        if sep in line:
            left, right = line.split(sep, 1)
            return left.strip(), right.strip()
    return None


class TemplateForm(PortalForm):
    """The format as text a clerk can edit: one column per line, ``heading | field``; one code
    per line, ``category code = provincial code``."""

    columns = forms.CharField(
        label=gettext_lazy("Columns"),
        widget=forms.Textarea(
            attrs={"rows": 18, "spellcheck": "false", "class": "form-control font-monospace"}
        ),
        help_text=gettext_lazy(
            "One column per line, in order: the heading, a vertical bar, then the field "
            "(see the list of fields), e.g. “隐患编号 | code”."
        ),
    )
    category_codes = forms.CharField(
        label=gettext_lazy("Category codes"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 8, "spellcheck": "false", "class": "form-control font-monospace"}
        ),
        help_text=gettext_lazy(
            "One per line: the portal's category code, an equals sign, the provincial code, "
            "e.g. “fire = XF01”. An item without its own code takes its area's."
        ),
    )
    level_general = forms.CharField(
        label=gettext_lazy("Provincial code of a general hazard"),
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    level_major = forms.CharField(
        label=gettext_lazy("Provincial code of a major hazard"),
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def clean_columns(self):
        columns, errors, seen = [], [], set()
        for number, line in _lines(self.cleaned_data["columns"]):
            parts = _split(line, ("|", "｜"))
            if parts is None or not parts[0] or not parts[1]:
                errors.append(
                    _("Line %(n)s: write the heading, a vertical bar “|” and the field.")
                    % {"n": number}
                )
                continue
            heading, field = parts
            if field not in FIELDS:
                errors.append(
                    _("Line %(n)s: “%(field)s” is not one of the fields in the list.")
                    % {"n": number, "field": field[:40]}
                )
            elif len(heading) > MAX_HEADING:
                errors.append(
                    _("Line %(n)s: a heading is at most %(max)s characters.")
                    % {"n": number, "max": MAX_HEADING}
                )
            elif heading in seen:
                errors.append(
                    _("Line %(n)s: the heading “%(heading)s” is used twice.")
                    % {"n": number, "heading": heading}
                )
            else:
                seen.add(heading)
                columns.append({"heading": heading, "field": field})
        if not columns and not errors:
            errors.append(_("The format needs at least one column."))
        if len(columns) > MAX_COLUMNS:
            errors.append(_("The format has at most %(max)s columns.") % {"max": MAX_COLUMNS})
        if errors:
            raise ValidationError(errors)
        return columns

    def clean_category_codes(self):
        known = set(HazardCategory.objects.values_list("code", flat=True))
        codes, errors = {}, []
        for number, line in _lines(self.cleaned_data.get("category_codes")):
            parts = _split(line, ("=", "＝"))
            if parts is None or not parts[0] or not parts[1]:
                errors.append(
                    _("Line %(n)s: write the category code, “=” and the provincial code.")
                    % {"n": number}
                )
            elif parts[0] not in known:
                errors.append(
                    _("Line %(n)s: there is no hazard category with the code “%(code)s”.")
                    % {"n": number, "code": parts[0][:40]}
                )
            elif parts[0] in codes:
                errors.append(
                    _("Line %(n)s: the category “%(code)s” is given twice.")
                    % {"n": number, "code": parts[0]}
                )
            elif len(parts[1]) > 20:
                errors.append(
                    _("Line %(n)s: a provincial code is at most 20 characters.") % {"n": number}
                )
            else:
                codes[parts[0]] = parts[1]
        if errors:
            raise ValidationError(errors)
        return codes

    def layout_values(self):
        data = self.cleaned_data
        return {
            "columns": data["columns"],
            "category_codes": data["category_codes"],
            "level_codes": {"general": data["level_general"], "major": data["level_major"]},
        }


def template_initial(layout):
    return {
        "columns": "\n".join(f"{heading} | {field}" for heading, field in layout.columns),
        "category_codes": "\n".join(f"{k} = {v}" for k, v in layout.category_codes.items()),
        "level_general": layout.level_codes.get("general", ""),
        "level_major": layout.level_codes.get("major", ""),
    }
