"""Filled in by the foundation work (placeholder while helpers build it)."""
from django.http import Http404


def org_tree(request):
    raise Http404


county_detail = school_list = school_detail = school_edit = org_tree
