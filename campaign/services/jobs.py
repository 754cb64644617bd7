"""Job runs as the campaign offers them: who may ask for one, and the organisation-tree
statistics job (the foundation's own). Core keeps the rows and runs them."""

import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign import access, policy
from campaign.models import OrgUnit, UnitStatistics
from campaign.roles import Perm
from core import jobs
from core import services as core_services
from core.errors import NotPermitted
from core.jobs import Outcome, ProducedFile
from core.text import strip_control_characters


def job_run_request(*, kind, unit, period, actor, params=None, scope=None):
    """Queue a run of ``kind`` for ``unit`` and ``period`` if ``actor`` may (``None``: a
    scheduled run); one row per (kind, unit, period), see ``core.services.job_run_enqueue``.

    ``scope``: the units whose subtrees the run's content may come from (default ``unit``);
    recorded on the run, it decides who sees the run and its file (``campaign.policy``). The
    actor must hold the job's permission at the unit and at every scope unit.
    """
    job = jobs.get(kind)
    if job is None:
        raise ValidationError(_("Unknown job."))
    scope = list(scope) if scope is not None else [unit]
    if actor is not None:
        for target in [unit, *scope]:
            access.require_perm_at(actor, job.perm, target)
    return core_services.job_run_enqueue(
        kind=kind, unit=unit, period=period, actor=actor, params=params, scope=scope
    )


def job_run_rerun(*, job_run, actor):
    """Queue a failed run again with the scope, filters and requester it was asked for with.

    Only its requester or a city administrator covering its scope may (``NotPermitted``);
    a run that did not fail is a ``Conflict``.
    """
    if not policy.job_run_may_rerun(actor, job_run, any_state=True):
        raise NotPermitted
    return core_services.job_run_requeue(job_run=job_run, actor=actor)


# --- Org-tree statistics (the foundation's demo job) ---------------------------------------


def org_statistics_rebuild(*, unit, report_progress=lambda p: None):
    """Recount schools, students and staff under ``unit`` and each city/county below it.

    Returns the statistics workbook (one row per unit) as a ``ProducedFile``.
    """
    return _org_statistics_build(unit=unit, report_progress=report_progress).file


def _org_statistics_build(*, unit, report_progress):
    from openpyxl import Workbook

    now = timezone.now()
    totals_units = list(
        OrgUnit.objects.filter(
            path__startswith=unit.path,
            kind__in=[OrgUnit.Kind.PROVINCE, OrgUnit.Kind.CITY, OrgUnit.Kind.COUNTY],
        ).order_by("path")
    )
    schools = OrgUnit.objects.filter(
        path__startswith=unit.path, kind=OrgUnit.Kind.SCHOOL, is_active=True
    )
    # One grouped query: counts per direct parent; ancestors are summed in Python.
    per_parent = schools.values("parent_id", "category", "ownership").annotate(
        n=Count("id"), students=Sum("students"), staff=Sum("staff")
    )
    stats = {
        u.pk: {"schools": 0, "students": 0, "staff": 0, "cat": {}, "own": {}} for u in totals_units
    }
    path_of = {u.pk: u for u in totals_units}
    for row in per_parent:
        parent = path_of.get(row["parent_id"])
        if parent is None:
            continue
        for ancestor_id in parent.ancestor_ids():
            s = stats.get(ancestor_id)
            if s is None:
                continue
            s["schools"] += row["n"]
            s["students"] += row["students"] or 0
            s["staff"] += row["staff"] or 0
            s["cat"][row["category"]] = s["cat"].get(row["category"], 0) + row["n"]
            s["own"][row["ownership"]] = s["own"].get(row["ownership"], 0) + row["n"]
    report_progress(50)

    with transaction.atomic():
        UnitStatistics.objects.filter(unit_id__in=stats.keys()).delete()
        UnitStatistics.objects.bulk_create(
            UnitStatistics(
                unit_id=pk,
                schools=s["schools"],
                students=s["students"],
                staff=s["staff"],
                by_category=s["cat"],
                by_ownership=s["own"],
                computed_at=now,
            )
            for pk, s in stats.items()
        )
    report_progress(80)

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Statistics"))
    categories = list(OrgUnit.Category)
    ws.append(
        [_("Unit"), _("Kind"), _("Schools"), _("Students"), _("Staff")]
        + [str(c.label) for c in categories]
        + [str(OrgUnit.Ownership.PUBLIC.label), str(OrgUnit.Ownership.PRIVATE.label)]
    )
    for u in totals_units:
        s = stats[u.pk]
        ws.append(
            [strip_control_characters(u.name), str(u.get_kind_display())]
            + [s["schools"], s["students"], s["staff"]]
            + [s["cat"].get(c.value, 0) for c in categories]
            + [s["own"].get("public", 0), s["own"].get("private", 0)]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    report_progress(95)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    return Outcome(
        file=ProducedFile(name=f"org-statistics-{stamp}.xlsx", content=buffer.getvalue()),
        result={"units": len(totals_units), "schools": stats.get(unit.pk, {}).get("schools", 0)},
    )


def _org_statistics_job(run, report_progress):
    return _org_statistics_build(unit=run.unit, report_progress=report_progress)


def _org_statistics_describe(result):
    return _("Units counted: %(units)s; schools: %(schools)s.") % {
        "units": result["units"],
        "schools": result["schools"],
    }


ORG_STATISTICS = "org_statistics"


def register_jobs():
    """Called from ``CampaignConfig.ready``."""
    from django.utils.translation import gettext_lazy

    jobs.register(
        ORG_STATISTICS,
        gettext_lazy("Organisation tree statistics"),
        _org_statistics_job,
        perm=Perm.RUN_JOBS,
        describe=_org_statistics_describe,
    )


def org_statistics_request(*, unit, actor):
    """Queue a statistics rebuild for ``unit``; each request is its own run."""
    period = timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S.%f")
    return job_run_request(kind=ORG_STATISTICS, unit=unit, period=period, actor=actor)


def org_statistics_schedule(*, day):
    """The nightly rebuild: one run per top unit (city or province) and day, asking twice
    returns the same runs; each visible to those who see the whole unit."""
    return [
        job_run_request(kind=ORG_STATISTICS, unit=unit, period=day.isoformat(), actor=None)
        for unit in OrgUnit.objects.filter(parent__isnull=True, is_active=True).order_by("path")
    ]
