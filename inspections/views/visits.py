"""Placeholder views: replaced by the module's real views (issue 8)."""

from django.http import Http404


def visit_list(request, **kwargs):
    raise Http404


def visit_detail(request, **kwargs):
    raise Http404


def visit_state(request, **kwargs):
    raise Http404


def visit_start(request, **kwargs):
    raise Http404


def visit_answer(request, **kwargs):
    raise Http404


def visit_photo(request, **kwargs):
    raise Http404


def visit_finish(request, **kwargs):
    raise Http404


def visit_amend(request, **kwargs):
    raise Http404


def photo_download(request, **kwargs):
    raise Http404


def school_history(request, **kwargs):
    raise Http404
