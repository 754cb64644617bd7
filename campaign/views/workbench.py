"""Filled in by the foundation work (placeholder while helpers build it)."""
from django.http import Http404


def workbench(request):
    raise Http404
