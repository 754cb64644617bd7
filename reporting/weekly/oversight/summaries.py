"""The city weekly summary as job runs, the hourly beat that asks for them, and the page's
reads.

A ``JobRun`` holds one file, so the summary is two job kinds on the same (city, week label):
``weekly_summary`` (the workbook) and ``weekly_summary_pdf`` (the PDF). Each is its own run
with its own progress, failure and re-run, and each is guarded by the unique (kind, unit,
period) constraint: two beats, a retry or a killed worker never produce two files of a kind.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign import access, policy
from campaign.models import OrgUnit
from campaign.roles import Perm
from core import jobs
from core.errors import NotPermitted
from core.models import JobRun, JobRunScope
from core.services import jobs as job_services
from reporting.models import WeeklyReport
from reporting.weekly import periods
from reporting.weekly.oversight import compile as summary_compile

KIND_XLSX = "weekly_summary"
KIND_PDF = "weekly_summary_pdf"
KINDS = (KIND_XLSX, KIND_PDF)


def _week_of(run):
    week = periods.parse_label(run.period)
    if week is None or run.unit.kind != OrgUnit.Kind.CITY:
        raise jobs.JobFailed("error", f"not a city week: {run.unit} {run.period}")
    return week


def _xlsx_handler(run, report_progress):
    week = _week_of(run)
    with translation.override(settings.LANGUAGE_CODE):  # a document of the bureau: Chinese
        return _xlsx(run, week, report_progress)


def _xlsx(run, week, report_progress):
    content = summary_compile.workbook(run.unit, week, report_progress=report_progress)
    lines, _direct, total = summary_compile.summary_lines(run.unit, week)
    return jobs.Outcome(
        file=jobs.ProducedFile(
            name=f"weekly-summary-{run.unit.code}-{run.period}.xlsx", content=content
        ),
        result={"expected": total.expected, "submitted": total.submitted, "on_time": total.on_time},
    )


def _pdf_handler(run, report_progress):
    week = _week_of(run)
    report_progress(10)
    with translation.override(settings.LANGUAGE_CODE):
        content = summary_compile.pdf_document(run.unit, week)
    return jobs.ProducedFile(
        name=f"weekly-summary-{run.unit.code}-{run.period}.pdf", content=content
    )


def _describe(result):
    return (
        _("%(submitted)s of %(expected)s school reports submitted, %(on_time)s on time.") % result
    )


def register_jobs():
    jobs.register(
        KIND_XLSX,
        gettext_lazy("City weekly summary (workbook)"),
        _xlsx_handler,
        perm=Perm.REVIEW_REPORTS,
        describe=_describe,
    )
    jobs.register(
        KIND_PDF,
        gettext_lazy("City weekly summary (PDF)"),
        _pdf_handler,
        perm=Perm.REVIEW_REPORTS,
    )


def due_week(now=None):
    """The latest week whose county deadline has passed at ``now``."""
    import datetime as dt

    now = now or timezone.now()
    week = periods.this_week(now)
    while periods.county_due(week) > now:
        week -= dt.timedelta(days=7)
    return week


def summaries_enqueue(*, now=None):
    """The hourly beat: ask for both summaries of the latest week past its county deadline, for
    every active city with reports that week. A city and week that already has a run of a
    kind (in any state: a failed one is re-run from the page) is left alone; the unique guard
    stops a concurrent beat. Returns how many runs were asked for."""
    week = due_week(now)
    label = periods.label(week)
    cities = OrgUnit.objects.filter(
        kind=OrgUnit.Kind.CITY,
        is_active=True,
        pk__in=WeeklyReport.objects.filter(week=week).values("city_id"),
    )
    have = set(JobRun.objects.filter(kind__in=KINDS, period=label).values_list("kind", "unit_id"))
    asked = 0
    for city in cities:
        for kind in KINDS:
            if (kind, city.pk) in have:
                continue
            job_services.job_run_enqueue(
                kind=kind, unit=city, period=label, actor=None, scope=[city]
            )
            asked += 1
    return asked


# --- The page -------------------------------------------------------------------------------


def summary_cities(user):
    """The cities where ``user`` holds REVIEW_REPORTS (directly, or from a province above)."""
    cities = OrgUnit.objects.filter(kind=OrgUnit.Kind.CITY, is_active=True)
    if access.is_unrestricted(user):
        return list(cities.order_by("path"))
    paths = access.granted_paths(user).get(Perm.REVIEW_REPORTS, ())
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return list(cities.filter(q).order_by("path"))


def _runs_for_user(user):
    scope = JobRunScope.objects.select_related("unit").order_by("unit__path")
    return (
        JobRun.objects.filter(kind__in=KINDS, unit__in=summary_cities(user))
        .select_related("unit")
        .prefetch_related(Prefetch("scope", queryset=scope))
    )


@dataclass
class SummaryWeek:
    city: OrgUnit
    period: str
    runs: dict = field(default_factory=dict)  # kind -> JobRun

    @property
    def xlsx(self):
        return self.runs.get(KIND_XLSX)

    @property
    def pdf(self):
        return self.runs.get(KIND_PDF)

    @property
    def is_live(self):
        return any(
            r.state in (JobRun.State.QUEUED, JobRun.State.RUNNING) for r in self.runs.values()
        )

    @property
    def title(self):
        week = periods.parse_label(self.period)
        return summary_compile.week_title(week) if week else self.period


def summaries_for_user(user, limit=104):
    """The city summaries ``user`` may see, by week, newest first (two queries: the grants
    and the runs). Anyone without city-level REVIEW_REPORTS gets an empty list."""
    runs = _runs_for_user(user).order_by("-period", "unit__path", "kind")
    weeks = {}
    for run in runs[: limit * len(KINDS)]:
        run.may_download = bool(run.file) and policy.job_run_may_download(user, run)
        run.is_failed = run.state == JobRun.State.FAILED
        key = (run.unit_id, run.period)
        if key not in weeks:
            weeks[key] = SummaryWeek(city=run.unit, period=run.period)
        weeks[key].runs[run.kind] = run
    return list(weeks.values())


def summary_for_user(user, pk):
    run = _runs_for_user(user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def summary_rerun(*, run, actor):
    """Queue a failed summary again (city-level REVIEW_REPORTS); Conflict if it did not fail."""
    if not access.has_perm_at(actor, Perm.REVIEW_REPORTS, run.unit):
        raise NotPermitted
    return job_services.job_run_requeue(job_run=run, actor=actor)
