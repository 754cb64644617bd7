"""The monthly upload's part of ``seed_demo`` (the lead wires it as a ``SeedExtension``).

Two months of every county of the city, made through the job's handler and the services:

- two months ago: every county's list prepared and confirmed with a receipt (its hazards
  get their last uploaded month);
- last month: every list prepared; all but the last two counties confirmed, those two left
  ``ready`` — overdue since the 1st — and the escalation run, so the county and the city
  each have the overdue notice.

Safe to run again: a month already prepared is left as it is.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from campaign.models import OrgUnit
from core.models import JobRun
from core.services import job_run_enqueue
from reporting.models import MonthlyUpload, next_month
from reporting.monthly import services

OVERDUE_COUNTIES = 2


def _prepared(county, month):
    label = services.month_label(month)
    with transaction.atomic():
        run = job_run_enqueue(
            kind=services.PREPARE_JOB, unit=county, period=label, actor=None, scope=[county]
        )
    if run.state != JobRun.State.SUCCEEDED:
        # Run it here rather than wait for a worker: the demo shows the result at once.
        from core.services import job_run_execute

        job_run_execute(job_run_id=run.pk)
    return MonthlyUpload.objects.get(county=county, month=month)


def seed_monthly(city, *, today=None):
    """Seed the two months for ``city``'s counties; returns a line for the summary."""
    today = today or timezone.localdate()
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    before = (last - dt.timedelta(days=1)).replace(day=1)
    counties = list(
        OrgUnit.objects.filter(parent=city, kind=OrgUnit.Kind.COUNTY, is_active=True).order_by(
            "code"
        )
    )
    overdue = {c.pk for c in counties[-OVERDUE_COUNTIES:]}
    confirmed = 0
    for month in (before, last):
        receipt_day = next_month(month) - dt.timedelta(days=2)
        for n, county in enumerate(counties, start=1):
            upload = _prepared(county, month)
            if upload.status == MonthlyUpload.Status.NOT_PREPARED:
                continue  # the run failed; the page shows it with its re-run button
            if upload.status == MonthlyUpload.Status.CONFIRMED:
                continue
            if month == last and county.pk in overdue:
                continue
            # The receipt is dated before the month ended, after the list was prepared: the
            # demo puts the preparation on the prepare day of that month.
            prepared_at = timezone.make_aware(
                dt.datetime.combine(month.replace(day=25), dt.time(1, 30))
            )
            MonthlyUpload.objects.filter(pk=upload.pk).update(prepared_at=prepared_at)
            upload.refresh_from_db()
            services.monthly_upload_confirm(
                upload=upload,
                actor=_confirmer(county),
                receipt_number=f"JS{month:%Y%m}{n:03d}",
                receipt_date=receipt_day,
            )
            confirmed += 1
    services.monthly_escalate(today=today)
    return (
        f"Demo monthly uploads: {services.month_label(before)} and {services.month_label(last)} "
        f"prepared for {len(counties)} counties, {OVERDUE_COUNTIES} overdue"
    )


def _confirmer(county):
    from campaign import selectors
    from campaign.roles import Perm

    people = selectors.people_with_perm_at([county.pk], Perm.SUBMIT_REPORTS)
    if people:
        return people[0]
    city_people = selectors.people_with_perm_at([county.parent_id], Perm.SUBMIT_REPORTS)
    if not city_people:
        raise LookupError(f"nobody may confirm the monthly upload of {county.code}")
    return city_people[0]
