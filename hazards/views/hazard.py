"""Placeholder while the hazard register's screens are being built."""

from django.http import Http404


def _placeholder(request, **kwargs):
    raise Http404


hazard_new = hazard_detail = hazard_edit = hazard_transition = hazard_comment = _placeholder
hazard_upload = evidence_download = hazard_meeting = _placeholder
