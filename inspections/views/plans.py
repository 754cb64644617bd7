"""Placeholder views: replaced by the module's real views (issue 8)."""

from django.http import Http404


def plan_list(request, **kwargs):
    raise Http404


def plan_new(request, **kwargs):
    raise Http404


def plan_detail(request, **kwargs):
    raise Http404


def plan_edit(request, **kwargs):
    raise Http404


def plan_team(request, **kwargs):
    raise Http404


def plan_draw(request, **kwargs):
    raise Http404


def plan_targets(request, **kwargs):
    raise Http404


def plan_rechecks(request, **kwargs):
    raise Http404


def plan_seal(request, **kwargs):
    raise Http404


def plan_audit(request, **kwargs):
    raise Http404


def plan_finish(request, **kwargs):
    raise Http404
