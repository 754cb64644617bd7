"""Placeholder views: replaced by the module's real views (issue 8)."""

from django.http import Http404


def checklist_list(request, **kwargs):
    raise Http404


def checklist_detail(request, **kwargs):
    raise Http404


def checklist_edit(request, **kwargs):
    raise Http404


def checklist_export(request, **kwargs):
    raise Http404
