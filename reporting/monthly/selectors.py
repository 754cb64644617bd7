"""Every read of the monthly uploads, already scoped to the user (out of scope: 404)."""

from django.http import Http404

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from reporting.models import MonthlyUpload
from reporting.monthly.services import parse_month


def monthly_uploads_for_user(user, perm=Perm.VIEW):
    return MonthlyUpload.objects.filter(access.scope_q(user, perm, path_field="county__path"))


def counties_for_user(user, perm=Perm.VIEW):
    """The active counties the user sees (a school officer sees none)."""
    return access.units_where(user, perm).filter(kind=OrgUnit.Kind.COUNTY).order_by("path")


def county_for_user(user, code):
    return access.unit_for_user(user, code, kind=OrgUnit.Kind.COUNTY)


def upload_for_user(user, code, label):
    """The county's upload of the month "2026-11"; 404 when out of scope or not there."""
    county = county_for_user(user, code)
    month = parse_month(label)
    if month is None:
        raise Http404
    upload = (
        MonthlyUpload.objects.select_related("county", "city", "job_run", "upload_run")
        .filter(county=county, month=month)
        .first()
    )
    if upload is None:
        raise Http404
    return upload
