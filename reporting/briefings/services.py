"""Campaign briefings (工作简报, S13): draft from live data, edit, publish without gaps.

- ``briefing_draft`` calls every registered section's ``collect`` once and stores the snapshots;
- ``briefing_publish`` sets the draft ``publishing`` and queues a core job run (kind
  ``briefing_publish``, unit the city, period ``briefing-<id>``: asked twice, one run);
- the job's handler (``briefing_publish_job``) takes the number and renders the PDF **in one
  transaction** holding the city's ``BriefingCounter`` row lock: the number is written only
  when the PDF exists and the briefing is marked published, so a failed render gives no number
  and two publications wait for each other (N and N+1, never the same, never a gap).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign import access
from campaign.roles import Perm
from core import jobs
from core.errors import Conflict
from core.pdf import chinese_date, render_pdf_pages
from reporting.briefings import sections as registry
from reporting.models import Briefing, BriefingCounter

PUBLISH_JOB = "briefing_publish"
DEFAULT_ISSUING_OFFICE = "教育系统安全隐患排查整治专项行动领导小组办公室"


def issuing_office():
    return getattr(settings, "INSPECTION_ISSUING_OFFICE", "") or DEFAULT_ISSUING_OFFICE


def collect_snapshot(city, since, until):
    snapshot = {}
    for section in registry.sections():
        data = section.collect(city, since, until)
        if data is not None:
            snapshot[section.key] = data
    return snapshot


@transaction.atomic
def briefing_draft(*, city, actor, title=""):
    access.require_perm_at(actor, Perm.MANAGE_BRIEFINGS, city)
    last = (
        Briefing.objects.filter(city=city, status=Briefing.Status.PUBLISHED)
        .order_by("-published_at")
        .first()
    )
    since = last.published_at if last else None
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        snapshot = collect_snapshot(city, since, now)
        title = title or _("Work briefing of the campaign")
    return Briefing.objects.create(
        city=city,
        title=title,
        since=since,
        drafted_at=now,
        snapshot=snapshot,
        texts={key: "" for key in snapshot},
        created_by=actor,
    )


@transaction.atomic
def briefing_publish(*, briefing, actor):
    """Queue the run that numbers and renders the draft; returns the job run."""
    from campaign import services as campaign_services

    briefing = Briefing.objects.select_for_update().select_related("city").get(pk=briefing.pk)
    access.require_perm_at(actor, Perm.MANAGE_BRIEFINGS, briefing.city)
    if briefing.status not in (Briefing.Status.DRAFT, Briefing.Status.FAILED):
        raise Conflict(_("This briefing has already been published."))
    if not briefing.title.strip():
        raise ValidationError(_("A briefing needs a title."))
    run = campaign_services.job_run_request(
        kind=PUBLISH_JOB,
        unit=briefing.city,
        period=f"briefing-{briefing.pk}",
        actor=actor,
        params={"briefing": briefing.pk},
        scope=[briefing.city],
    )
    Briefing.objects.filter(pk=briefing.pk).update(status=Briefing.Status.PUBLISHING, job_run=run)
    return run


def _chart(key, data):
    from reporting.briefings.content import CHARTS

    draw = CHARTS.get(key)
    return draw(data) if draw else ""


def document_context(briefing, *, number, published_on):
    rendered = []
    for section in registry.sections():
        if section.key in briefing.snapshot:
            rendered.append(
                {
                    "key": section.key,
                    "title": str(section.title),
                    "template_name": section.template_name,
                    "data": briefing.snapshot[section.key],
                    "chart_svg": _chart(section.key, briefing.snapshot[section.key]),
                    "text": [
                        line.strip()
                        for line in (briefing.texts.get(section.key) or "").splitlines()
                        if line.strip()
                    ],
                }
            )
    return {
        "briefing": briefing,
        "issuing_office": issuing_office(),
        "number_text": f"工作简报 第{number}期" if number else "工作简报 第　期",
        "title": briefing.title,
        "issued_on_text": chinese_date(published_on),
        "sections": rendered,
    }


def briefing_pdf(briefing, *, number, published_on=None):
    """``(PDF bytes, pages)`` of the briefing as issue ``number``."""
    published_on = published_on or timezone.localdate()
    with translation.override("zh-hans"):
        context = document_context(briefing, number=number, published_on=published_on)
    return render_pdf_pages("reporting/briefings/document.html", context)


def _next_number_locked(city):
    BriefingCounter.objects.get_or_create(city=city)  # savepoint inside
    counter = BriefingCounter.objects.select_for_update().get(city=city)
    return counter


def briefing_publish_job(run, report_progress):
    """The job run's handler (kind ``briefing_publish``); run twice it does nothing again."""
    briefing = Briefing.objects.filter(pk=run.params.get("briefing")).first()
    if briefing is None:
        raise jobs.JobFailed("error", f"no briefing {run.params!r}")
    if briefing.status == Briefing.Status.PUBLISHED:
        return jobs.Outcome(result={"number": briefing.number, "again": True})
    report_progress(5)
    with transaction.atomic():
        counter = _next_number_locked(briefing.city)
        briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
        if briefing.status == Briefing.Status.PUBLISHED:
            return jobs.Outcome(result={"number": briefing.number, "again": True})
        number = counter.last + 1
        now = timezone.now()
        content, pages = briefing_pdf(briefing, number=number, published_on=timezone.localdate())
        report_progress(80)
        briefing.pdf.save(
            f"briefing-{briefing.city_id}-{number}.pdf", ContentFile(content), save=False
        )
        briefing.number = number
        briefing.pages = pages
        briefing.published_at = now
        briefing.status = Briefing.Status.PUBLISHED
        briefing.save(update_fields=["pdf", "number", "pages", "published_at", "status"])
        counter.last = number
        counter.save(update_fields=["last"])
    report_progress(100)
    return jobs.Outcome(result={"number": number, "pages": pages, "bytes": len(content)})


def _describe(result):
    return _("Briefing no. %(number)s published.") % {"number": result.get("number", "")}
