"""What the monthly tests share: hazards in the register, and preparing a county's month."""

import datetime as dt
from zoneinfo import ZoneInfo

from campaign.roles import Role
from core import services as core_services
from core.models import JobRun
from hazards import services as hz_services
from hazards.models import Hazard
from reporting.models import MonthlyUpload
from reporting.monthly import services
from tests.factories import UserFactory, grant
from tests.hazards.conftest import seeded_category

MONTH = dt.date(2026, 11, 1)
LABEL = "2026-11"
TZ = ZoneInfo("Asia/Shanghai")


def registrar(tree):
    user = UserFactory()
    return grant(user, Role.CITY_STAFF, tree.city)


def register(tree, school, *, found_on=dt.date(2026, 11, 10), level="general", actor=None):
    return hz_services.hazard_register(
        school=school,
        category=seeded_category(),
        level=level,
        source="self_check",
        location="操场东侧",
        description="围墙破损",
        found_on=found_on,
        actor=actor or registrar(tree),
    )


def close(hazard, at):
    """Put a hazard in the register as closed at ``at`` (test data, not the closed loop)."""
    Hazard.objects.filter(pk=hazard.pk).update(
        status=Hazard.Status.CLOSED,
        five_complete=True,
        closed_at=at,
        accepted_level="city",
        acceptance_opinion="验收合格",
    )


def prepare(county, label=LABEL, actor=None):
    """Queue and run the county's preparation; the upload afterwards."""
    run = core_services.job_run_enqueue(
        kind=services.PREPARE_JOB, unit=county, period=label, actor=actor, scope=[county]
    )
    core_services.job_run_execute(job_run_id=run.pk)
    run.refresh_from_db()
    assert run.state == JobRun.State.SUCCEEDED, run.error
    return MonthlyUpload.objects.get(county=county, month=services.parse_month(label))
