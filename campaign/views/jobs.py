"""Filled in by the foundation work (placeholder while helpers build it)."""
from django.http import Http404


def job_list(request, **kw):
    raise Http404


statistics_start = job_detail = job_file = job_rerun = job_list
