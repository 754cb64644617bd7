"""Placeholder while the hazard register's screens are being built."""

from django.http import Http404


def _placeholder(request, **kwargs):
    raise Http404


hazard_list = hazard_export = hazard_bulk = hazard_import = hazard_import_template = _placeholder
