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
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign import access
from campaign.roles import Perm
from core import jobs
from core.errors import Conflict
from core.models import JobRun
from core.pdf import chinese_date, render_pdf_pages
from core.services.audit import audit
from core.services.jobs import LeaseLost
from reporting.briefings import sections as registry
from reporting.models import Briefing, BriefingCounter, ExperienceItem

PUBLISH_JOB = "briefing_publish"
NOTICE_PUBLISHED = "briefing.published"  # to every unit of the city: a new issue to read
EDITABLE_STATES = (Briefing.Status.DRAFT, Briefing.Status.FAILED)
TITLE_MAX = 150
TEXT_MAX = 5000
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
    from core.services import jobs as core_jobs

    briefing = (
        Briefing.objects.select_for_update(of=("self",))
        .select_related("city", "job_run")
        .get(pk=briefing.pk)
    )
    access.require_perm_at(actor, Perm.MANAGE_BRIEFINGS, briefing.city)
    run = briefing.job_run
    stuck = briefing.status == Briefing.Status.PUBLISHING and (
        run is not None and run.state == JobRun.State.FAILED
    )
    if briefing.status not in EDITABLE_STATES and not stuck:
        if briefing.status == Briefing.Status.PUBLISHING:
            return run  # asked twice: the run under way
        raise Conflict(_("This briefing has already been published."))
    if not briefing.title.strip():
        raise ValidationError(_("A briefing needs a title."))
    if run is not None and run.state == JobRun.State.FAILED:
        # A re-run after a failed render: any manager of the city's briefings may ask for it
        # (not only whoever asked first), so the run is queued again directly.
        run = core_jobs.job_run_requeue(job_run=run, actor=actor)
        Briefing.objects.filter(pk=briefing.pk).update(status=Briefing.Status.PUBLISHING)
        return run
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


def included_keys(briefing):
    excluded = set(briefing.excluded or ())
    return [
        s.key for s in registry.sections() if s.key in briefing.snapshot and s.key not in excluded
    ]


def _photo_uri(photo):
    """A photo inline as a ``data:`` URI: the PDF renderer fetches nothing."""
    import base64

    try:
        with photo.file.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError):
        return ""
    return f"data:{photo.content_type};base64,{base64.b64encode(data).decode('ascii')}"


def chosen_items(briefing, *, inline_photos):
    """The experience items in the issue, with their paragraphs and photos (the PDF gets the
    photos inline; the page links to the photo view)."""
    from django.urls import reverse

    items = []
    for item in (
        briefing.items.select_related("unit")
        .prefetch_related("photos")
        .order_by("submitted_at", "id")
    ):
        photos = []
        for photo in item.photos.all():
            if inline_photos:
                uri = _photo_uri(photo)
            else:
                uri = reverse("reporting:briefing_item_photo", args=[item.pk, photo.pk])
            if uri:
                photos.append(uri)
        items.append(
            {
                "title": item.title,
                "unit": item.unit.name,
                "text": [line.strip() for line in item.text.splitlines() if line.strip()],
                "photos": photos,
            }
        )
    return items


def document_context(briefing, *, number, published_on, inline_photos=True):
    rendered = []
    included = set(included_keys(briefing))
    for section in registry.sections():
        if section.key in included:
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
        "items": chosen_items(briefing, inline_photos=inline_photos),
    }


def briefing_pdf(briefing, *, number, published_on=None):
    """``(PDF bytes, pages)`` of the briefing as issue ``number``."""
    published_on = published_on or timezone.localdate()
    with translation.override("zh-hans"):
        context = document_context(briefing, number=number, published_on=published_on)
        # The experience items' photos are written into the document as ``data:`` URIs, which
    # core.pdf's renderer takes (nothing from the network or the disk).
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
        # Run again (a retry after the notices failed): the notices are deduplicated.
        notified = _notify_units(briefing)
        return jobs.Outcome(result={"number": briefing.number, "again": True, "notified": notified})
    report_progress(5)
    try:
        number, pages, size = _number_and_render(briefing, report_progress)
    except LeaseLost:
        raise  # another worker has the run now: the briefing stays "publishing"
    except Exception:
        # Nothing of the transaction stayed (no number, no file): the draft shows the failure
        # and offers a re-run; the job run records the error.
        Briefing.objects.filter(pk=briefing.pk, status=Briefing.Status.PUBLISHING).update(
            status=Briefing.Status.FAILED
        )
        raise
    report_progress(90)
    notified = _notify_units(Briefing.objects.select_related("city").get(pk=briefing.pk))
    report_progress(100)
    return jobs.Outcome(
        result={"number": number, "pages": pages, "bytes": size, "notified": notified}
    )


def _number_and_render(briefing, report_progress):
    with transaction.atomic():
        counter = _next_number_locked(briefing.city)
        briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
        if briefing.status == Briefing.Status.PUBLISHED:
            return briefing.number, briefing.pages, 0
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
        ExperienceItem.objects.filter(briefing=briefing).update(status=ExperienceItem.Status.CHOSEN)
    return number, pages, len(content)


def _describe(result):
    return _("Briefing no. %(number)s published.") % {"number": result.get("number", "")}


def _notify_units(briefing):
    """One notice per user who holds a view grant at an active unit of the briefing's city
    (the city, its counties, its schools), written in bulk (``notify_many``, batches of a
    thousand, deduplicated per briefing): a province's thousands of users cost a few dozen
    INSERTs, and a repeated run writes nothing twice."""
    from django.urls import reverse

    from campaign.models import OrgUnitUserPermission
    from core.services.notifications import notification_build, notify_many

    city = briefing.city
    user_ids = (
        OrgUnitUserPermission.objects.filter(
            permission__codename=Perm.VIEW,
            content_object__path__startswith=city.path,
            content_object__is_active=True,
            user__is_active=True,
        )
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )
    params = {"number": briefing.number, "title": briefing.title, "city": city.name}
    link = reverse("reporting:briefing_detail", args=[briefing.pk])
    notices = (
        notification_build(
            recipient_id=user_id,
            kind=NOTICE_PUBLISHED,
            params=params,
            link=link,
            unit_id=city.pk,
            dedupe_key=f"briefing:{briefing.pk}",
        )
        for user_id in user_ids.iterator(chunk_size=2000)
    )
    return notify_many(notices=notices)


def _render_published(p):
    return _("Work briefing no. %(number)s of %(city)s is out: %(title)s") % p


def register_notices():
    from core import notices

    notices.register(NOTICE_PUBLISHED, _render_published)


# --- Editing a draft -----------------------------------------------------------------------


@transaction.atomic
def briefing_update(*, briefing, actor, title, texts, included, item_ids):
    """Save a draft's title, section texts, which sections and which experience items it
    carries. All or nothing: a bad value raises ``ValidationError`` and changes nothing."""
    briefing = Briefing.objects.select_for_update().select_related("city").get(pk=briefing.pk)
    access.require_perm_at(actor, Perm.MANAGE_BRIEFINGS, briefing.city)
    if briefing.status not in EDITABLE_STATES:
        raise Conflict(_("Only a draft can be edited."))
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("A briefing needs a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title is too long.")
    unknown = set(included) - set(briefing.snapshot)
    if unknown:
        errors["sections"] = _("Unknown section.")
    if any(len(t or "") > TEXT_MAX for t in texts.values()):
        errors["texts"] = _("A section's text is too long.")
    chosen = set(item_ids)
    allowed = set(
        ExperienceItem.objects.filter(city_id=briefing.city_id)
        .filter(Q(briefing__isnull=True) | Q(briefing=briefing))
        .values_list("pk", flat=True)
    )
    if chosen - allowed:
        errors["items"] = _("An experience item that cannot go into this issue was chosen.")
    if errors:
        raise ValidationError(errors)
    briefing.title = title
    briefing.texts = {key: (texts.get(key) or "").strip() for key in briefing.snapshot}
    briefing.excluded = [key for key in briefing.snapshot if key not in set(included)]
    briefing.save(update_fields=["title", "texts", "excluded"])
    ExperienceItem.objects.filter(briefing=briefing).exclude(pk__in=chosen).update(
        briefing=None, status=ExperienceItem.Status.SUBMITTED
    )
    ExperienceItem.objects.filter(pk__in=chosen).update(briefing=briefing)
    audit(actor=actor, action="briefing.update", unit=briefing.city, briefing=briefing.pk)
    return briefing
