"""Placeholder while the hazard register's screens are being built."""

from django.http import Http404


def _placeholder(request, **kwargs):
    raise Http404


year_end = zero_data = _placeholder
