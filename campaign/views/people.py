"""Filled in by the foundation work (placeholder while helpers build it)."""
from django.http import Http404


def user_list(request, **kw):
    raise Http404


user_new = user_detail = user_grant = grant_revoke = user_active = user_list
