"""Filled in by the foundation work (placeholder while helpers build it)."""
from django.http import Http404


def import_upload(request, **kw):
    raise Http404


import_template = import_upload
