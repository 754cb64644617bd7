"""Placeholder views: replaced by the module's real views (issue 8)."""

from django.http import Http404


def circular_new(request, **kwargs):
    raise Http404


def circular_list(request, **kwargs):
    raise Http404


def circular_detail(request, **kwargs):
    raise Http404


def circular_edit(request, **kwargs):
    raise Http404


def circular_publish(request, **kwargs):
    raise Http404


def circular_pdf(request, **kwargs):
    raise Http404


def notice_list(request, **kwargs):
    raise Http404


def notice_detail(request, **kwargs):
    raise Http404
