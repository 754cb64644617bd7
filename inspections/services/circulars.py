"""Circulars (通报) and rectification notices (整改通知书).

From a finished plan the portal drafts a circular in official-document style (issuing office,
title, summary figures, the per-county table, the problems found with the schools' names, the
requirements and the deadline), read from the plan's result rows (``VisitResult``,
``SectionResult``, ``PlanCountyResult``) and its failed answers with their hazards. Staff edit
the draft, then publish it:

- ``circular_publish`` numbers it per city and year without gaps: the ``CircularCounter`` row is
  locked (``select_for_update``) in the same transaction that gives the number, sets the state
  ``publishing`` and queues the job run, so a number is taken only when that transaction commits;
- the job run (kind ``circular_render``, ``circular_render_job``) renders the PDF, stores it on
  the circular, marks it published, sets the plan ``circulated``, creates one notice per school
  with findings (deadline: the circular's) and notifies the schools' officers and their
  counties' staff. Run twice (a redelivered message, a re-run) it does nothing the second time.

Every write needs ``Perm.MANAGE_INSPECTIONS`` at the plan's city; a plan or circular the actor
may not see is ``OutOfScope`` (answered like a missing one).
"""

import datetime as dt
from collections import OrderedDict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from campaign import access
from campaign.models import Role, RoleGrant
from campaign.roles import Perm
from core import dates, jobs
from core import notices as core_notices
from core.errors import Conflict, NotPermitted, OutOfScope
from core.pdf import chinese_date, render_pdf_pages
from core.services.audit import audit
from core.services.notifications import notify
from hazards.models import Hazard
from inspections.models import (
    Answer,
    Circular,
    CircularCounter,
    InspectionPlan,
    PlanCountyResult,
    RectificationNotice,
    SectionResult,
    Visit,
    VisitResult,
)

RENDER_JOB = "circular_render"
NOTICE_KIND = "inspection.notice"  # to a school's officers: your rectification notice
CIRCULAR_KIND = "inspection.circular"  # to a county's staff: a circular names your schools

DEFAULT_ISSUING_OFFICE = "南通市校园和校车安全专项整治工作领导小组办公室"
DEFAULT_DOC_PREFIX = "通教安督"
DEFAULT_DEADLINE_DAYS = 30
EDITABLE = ("issuing_office", "title", "summary", "problems", "requirements", "deadline")


def issuing_office():
    return getattr(settings, "INSPECTION_ISSUING_OFFICE", "") or DEFAULT_ISSUING_OFFICE


def doc_prefix():
    return getattr(settings, "INSPECTION_DOC_PREFIX", "") or DEFAULT_DOC_PREFIX


def doc_number(*, year, number, prefix=None):
    """``通教安督〔2019〕3号``: the prefix, the year in hexagonal brackets, the number."""
    return f"{prefix or doc_prefix()}〔{year}〕{number}号"


# --- Who may -------------------------------------------------------------------------------


def is_supervisor(user, city):
    """City-level supervisor (city admin, city staff, 安稳处, city leaders) of ``city``."""
    return access.has_perm_at(user, Perm.VIEW_INSPECTIONS, city)


def _may_see_plan(user, plan):
    return is_supervisor(user, plan.city) or user.has_perm("inspections.view_inspectionplan", plan)


def _require_manage(actor, city, *, visible):
    if not visible:
        raise OutOfScope
    if not access.has_perm_at(actor, Perm.MANAGE_INSPECTIONS, city):
        raise NotPermitted


# --- What the circular says: read from the plan's result rows ----------------------------


def _one_decimal(value):
    return Decimal(value or 0).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def plan_totals(plan):
    """The plan's summary figures from its visits' results."""
    row = VisitResult.objects.filter(plan=plan).aggregate(
        items_checked=Sum("items_checked"),
        items_failed=Sum("items_failed"),
        critical_failed=Sum("critical_failed"),
    )
    scores = list(VisitResult.objects.filter(plan=plan).values_list("score", flat=True))
    return {
        "schools": len(scores),
        "items_checked": row["items_checked"] or 0,
        "items_failed": row["items_failed"] or 0,
        "critical_failed": row["critical_failed"] or 0,
        "score": _one_decimal(sum(scores) / len(scores)) if scores else _one_decimal(0),
        "schools_with_findings": VisitResult.objects.filter(plan=plan, items_failed__gt=0).count(),
    }


def county_rows(plan):
    """The per-county table: one row per ``PlanCountyResult`` in tree order (the city's own
    schools last), as dicts with the county's name."""
    rows = list(PlanCountyResult.objects.filter(plan=plan).select_related("county"))
    rows.sort(key=lambda r: (r.county is None, r.county.path if r.county else ""))
    return [
        {
            "name": r.county.name if r.county else _("City-direct schools"),
            "schools": r.schools,
            "items_checked": r.items_checked,
            "items_failed": r.items_failed,
            "critical_failed": r.critical_failed,
            "score": r.score,
        }
        for r in rows
    ]


def section_rows(plan):
    """``[(section name, failed items), …]`` summed over the plan's visits, in checklist order."""
    rows = (
        SectionResult.objects.filter(visit_result__plan=plan)
        .values("section__name")
        .annotate(failed=Sum("items_failed"), order=Min("section__order"))
        .order_by("order", "section__name")
    )
    return [(r["section__name"], r["failed"] or 0) for r in rows]


def findings(plan):
    """The plan's failed answers with their school, item, section and hazard, in tree order."""
    return list(
        Answer.objects.filter(visit__plan=plan, result=Answer.Result.FAIL)
        .select_related(
            "visit__school",
            "visit__county",
            "item__section",
            "recheck__hazard",
            "hazard",
        )
        .order_by("visit__school__path", "item__section__order", "item__order", "id")
    )


def answer_hazard(answer):
    """The hazard a failed answer stands for: the one it became, or the re-checked one."""
    if answer.hazard_id:
        return answer.hazard
    if answer.recheck_id:
        return answer.recheck.hazard
    return None


def answer_text(answer):
    if answer.item_id:
        return answer.item.text
    hazard = answer.recheck.hazard
    return _("re-check of hazard %(code)s: %(location)s") % {
        "code": hazard.code,
        "location": hazard.location,
    }


def findings_by_school(plan):
    """OrderedDict school → list of failed answers, schools in tree order."""
    grouped = OrderedDict()
    for answer in findings(plan):
        grouped.setdefault(answer.visit.school, []).append(answer)
    return grouped


def _problems_text(plan):
    lines = []
    for n, (school, answers) in enumerate(findings_by_school(plan).items(), start=1):
        parts = []
        for answer in answers:
            part = answer_text(answer)
            if answer.note:
                part = _("%(problem)s (%(note)s)") % {"problem": part, "note": answer.note}
            parts.append(part)
        visit = answers[0].visit
        where = (
            _("%(county)s %(school)s") % {"county": visit.county.name, "school": school.name}
            if visit.county
            else school.name
        )
        lines.append(
            _("%(n)s. %(school)s: %(problems)s.")
            % {"n": n, "school": where, "problems": pgettext("list of problems", "; ").join(parts)}
        )
    return "\n".join(lines)


def _scope_text(plan):
    counties = list(plan.counties.order_by("path").values_list("name", flat=True))
    if not counties:
        return plan.city.name
    return pgettext("list of counties", ", ").join(counties)


def _summary_text(plan, totals):
    period = _("from %(start)s to %(end)s") % {
        "start": chinese_date(plan.period_start),
        "end": chinese_date(plan.period_end),
    }
    first = _(
        "To carry the campus and school-bus safety campaign forward, the inspection team "
        "visited %(schools)s schools in %(scope)s %(period)s without notice, in the “four no, "
        "two direct” manner."
    ) % {"schools": totals["schools"], "scope": _scope_text(plan), "period": period}
    second = _(
        "%(items)s items were checked and %(failed)s problems found, %(critical)s of them on "
        "critical items; %(with)s schools had findings; the average score was %(score)s. The "
        "results are circulated as follows."
    ) % {
        "items": totals["items_checked"],
        "failed": totals["items_failed"],
        "critical": totals["critical_failed"],
        "with": totals["schools_with_findings"],
        "score": totals["score"],
    }
    return f"{first}\n{second}"


def _requirements_text(deadline):
    return "\n".join(
        [
            _(
                "1. The schools named above must rectify every problem found, item by item, "
                "and complete the rectification by %(deadline)s; each hazard is worked through "
                "the hazard register's closed loop."
            )
            % {"deadline": chinese_date(deadline)},
            _(
                "2. Every county-level education bureau must follow up its schools' "
                "rectification, check the results on site and learn from the cases: other "
                "schools check themselves for the same problems."
            ),
            _(
                "3. Critical problems (video surveillance, one-button alarms, guards, fire "
                "water) must be fixed at once; until then the school takes interim measures "
                "and reports them."
            ),
            _(
                "4. The city will re-inspect the rectification; a problem not rectified by the "
                "deadline will be circulated again and held to account."
            ),
        ]
    )


def _title_text(plan):
    return _("Circular on the unannounced campus safety inspection of %(round)s") % {
        "round": plan.round
    }


# --- Services ------------------------------------------------------------------------------


def _default_deadline(plan):
    """When the last finding's hazard is due (each keeps its category's time limit), so that the
    circular and its notices name the date the hazards themselves give; a round whose hazards
    are all past due (or none) gets INSPECTION_DEADLINE_DAYS from today."""
    today = timezone.localdate()
    latest = Hazard.objects.filter(finding__visit__plan=plan).aggregate(last=Max("deadline"))[
        "last"
    ]
    if latest is not None and latest >= today:
        return latest
    return today + dt.timedelta(
        days=getattr(settings, "INSPECTION_DEADLINE_DAYS", DEFAULT_DEADLINE_DAYS)
    )


@transaction.atomic
def circular_draft(*, plan, actor):
    """Draft the circular of a finished plan (one per plan)."""
    plan = InspectionPlan.objects.select_for_update().select_related("city").get(pk=plan.pk)
    _require_manage(actor, plan.city, visible=_may_see_plan(actor, plan))
    if plan.state != InspectionPlan.State.FINISHED:
        raise ValidationError(_("Only a finished plan can be circulated."))
    if Circular.objects.filter(plan=plan).exists():
        raise Conflict(_("This plan already has a circular."))
    deadline = _default_deadline(plan)
    with translation.override(settings.LANGUAGE_CODE):
        totals = plan_totals(plan)
        circular = Circular.objects.create(
            plan=plan,
            city=plan.city,
            issuing_office=issuing_office(),
            title=_title_text(plan),
            summary=_summary_text(plan, totals),
            problems=_problems_text(plan),
            requirements=_requirements_text(deadline),
            deadline=deadline,
            created_by=actor,
        )
    audit(actor=actor, action="circular.draft", unit=plan.city, circular=circular.code)
    return circular


@transaction.atomic
def circular_update(*, circular, actor, **fields):
    """Edit a draft's text fields and deadline."""
    circular = (
        Circular.objects.select_for_update().select_related("city", "plan").get(pk=circular.pk)
    )
    _require_manage(actor, circular.city, visible=is_supervisor(actor, circular.city))
    if circular.state != Circular.State.DRAFT:
        raise Conflict(_("Only a draft circular can be edited."))
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"circular_update does not edit {sorted(unknown)}")
    if "deadline" in fields:
        deadline = fields["deadline"]
        if deadline is None:
            raise ValidationError({"deadline": _("Enter the rectification deadline.")})
        dates.check_plausible(deadline, field="deadline")
        if deadline < timezone.localdate():
            raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    if "deadline" in fields and fields["deadline"] != circular.deadline:
        # The drafted requirements name the deadline: a new deadline is written there too.
        requirements = fields.get("requirements", circular.requirements)
        fields["requirements"] = requirements.replace(
            chinese_date(circular.deadline), chinese_date(fields["deadline"])
        )
    changed = {}
    for name, value in fields.items():
        if getattr(circular, name) != value:
            setattr(circular, name, value)
            changed[name] = str(value)[:200]
    if changed:
        circular.full_clean(validate_constraints=False)
        circular.save(update_fields=list(changed))
        audit(
            actor=actor,
            action="circular.update",
            unit=circular.city,
            circular=circular.code,
            fields=sorted(changed),
        )
    return circular


def _next_number(city, year):
    """Take the next number of ``city``'s ``year``: the counter row is locked until the caller's
    transaction ends, so two publications wait for each other and a rolled-back one gives its
    number back."""
    CircularCounter.objects.get_or_create(city=city, year=year)  # savepoint inside
    counter = CircularCounter.objects.select_for_update().get(city=city, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic
def circular_publish(*, circular, actor):
    """Number the draft, set it publishing and queue the job run that renders and sends it.

    Returns the job run.
    """
    from campaign import services as campaign_services

    circular = (
        Circular.objects.select_for_update().select_related("city", "plan").get(pk=circular.pk)
    )
    _require_manage(actor, circular.city, visible=is_supervisor(actor, circular.city))
    if circular.state != Circular.State.DRAFT:
        raise Conflict(_("This circular has already been published."))
    if not circular.requirements.strip() or not circular.title.strip():
        raise ValidationError(_("A circular needs a title and rectification requirements."))
    today = timezone.localdate()
    number = _next_number(circular.city, today.year)
    circular.year = today.year
    circular.number = number
    circular.doc_number = doc_number(year=today.year, number=number)
    circular.issued_on = today
    circular.state = Circular.State.PUBLISHING
    circular.published_by = actor
    circular.save(
        update_fields=[
            "year",
            "number",
            "doc_number",
            "issued_on",
            "state",
            "published_by",
        ]
    )
    run = campaign_services.job_run_request(
        kind=RENDER_JOB,
        unit=circular.city,
        period=f"circular-{circular.code}",
        actor=actor,
        params={"circular": circular.code},
        scope=[circular.city],
    )
    Circular.objects.filter(pk=circular.pk).update(job_run=run)
    circular.job_run = run
    audit(
        actor=actor,
        action="circular.publish",
        unit=circular.city,
        circular=circular.code,
        doc_number=circular.doc_number,
    )
    return run


# --- The PDF -------------------------------------------------------------------------------


def paragraphs(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def document_context(circular):
    """What the circular's PDF (and its page) shows."""
    from inspections.charts import failures_by_section_svg

    plan = circular.plan
    sections = section_rows(plan)
    totals = plan_totals(plan)
    annex = []
    for answer in findings(plan):
        hazard = answer_hazard(answer)
        annex.append(
            {
                "school": answer.visit.school.name,
                "county": answer.visit.county.name if answer.visit.county else "",
                "section": answer.item.section.name if answer.item_id else _("re-check"),
                "problem": answer_text(answer),
                "critical": bool(answer.item_id and answer.item.critical),
                "hazard": hazard.code if hazard else "",
                "deadline": chinese_date(circular.deadline),
            }
        )
    return {
        "circular": circular,
        "issuing_office": circular.issuing_office,
        "doc_number": circular.doc_number,
        "title": circular.title,
        "issued_on_text": chinese_date(circular.issued_on or timezone.localdate()),
        "deadline_text": chinese_date(circular.deadline),
        "summary": paragraphs(circular.summary),
        "problems": paragraphs(circular.problems),
        "requirements": paragraphs(circular.requirements),
        "totals": totals,
        "counties": county_rows(plan),
        "sections": sections,
        "chart_svg": failures_by_section_svg(sections) if sections else "",
        "annex": annex,
    }


def circular_pdf(circular):
    """The circular's PDF: ``(bytes, pages)``."""
    with translation.override("zh-hans"):
        context = document_context(circular)
    return render_pdf_pages("inspections/circular_document.html", context)


def circular_pdf_bytes(circular):
    return circular_pdf(circular)[0]


def circular_file_name(circular):
    return f"{circular.doc_number or circular.code} {circular.title}.pdf"


# --- The job run: render, store, publish, notices, notifications --------------------------


def _visits_with_findings(plan):
    failed = Answer.objects.filter(visit__plan=plan, result=Answer.Result.FAIL)
    return list(
        Visit.objects.filter(pk__in=failed.values("visit_id"))
        .select_related("school", "county", "city")
        .order_by("school__path")
    )


def _users_with_role(role, unit_ids):
    """{unit id: [active users holding ``role`` there]}."""
    grants = RoleGrant.objects.filter(
        role=role, unit_id__in=unit_ids, user__is_active=True
    ).select_related("user")
    users = {}
    for grant in grants:
        users.setdefault(grant.unit_id, []).append(grant.user)
    return users


def _notify(circular, notices):
    officers = _users_with_role(Role.SCHOOL_OFFICER, [n.school_id for n in notices])
    for notice in notices:
        notify(
            recipients=officers.get(notice.school_id, []),
            kind=NOTICE_KIND,
            params={
                "doc_number": circular.doc_number,
                "school": notice.school.name,
                "deadline": notice.deadline.isoformat(),
            },
            link=reverse("inspections:notice_detail", args=[notice.code]),
            unit=notice.school,
            dedupe_key=f"notice:{notice.code}",
        )
    by_county = OrderedDict()
    for notice in notices:
        if notice.county_id:
            by_county.setdefault(notice.county, []).append(notice)
    staff = _users_with_role(Role.COUNTY_STAFF, [c.pk for c in by_county])
    for county, county_notices in by_county.items():
        notify(
            recipients=staff.get(county.pk, []),
            kind=CIRCULAR_KIND,
            params={
                "doc_number": circular.doc_number,
                "title": circular.title,
                "county": county.name,
                "schools": len(county_notices),
            },
            link=reverse("inspections:circular_detail", args=[circular.code]),
            unit=county,
            dedupe_key=f"circular:{circular.code}:{county.pk}",
        )


def circular_render_job(run, report_progress):
    """The job run's handler (kind ``circular_render``)."""
    code = run.params.get("circular", "")
    circular = (
        Circular.objects.select_related("plan__city", "city").filter(code=code).first()
        if code
        else None
    )
    if circular is None:
        raise jobs.JobFailed("error", f"no circular {code!r}")
    if circular.state == Circular.State.PUBLISHED:
        return jobs.Outcome(result={"notices": circular.notices.count(), "again": True})
    report_progress(5)
    content, pages = circular_pdf(circular)
    report_progress(70)
    with transaction.atomic():
        circular = Circular.objects.select_for_update().select_related("plan").get(pk=circular.pk)
        if circular.state != Circular.State.PUBLISHING:
            return jobs.Outcome(result={"notices": circular.notices.count(), "again": True})
        circular.pdf.save(f"{circular.code}.pdf", ContentFile(content), save=False)
        circular.state = Circular.State.PUBLISHED
        circular.published_at = timezone.now()
        circular.save(update_fields=["pdf", "state", "published_at"])
        InspectionPlan.objects.filter(pk=circular.plan_id).update(
            state=InspectionPlan.State.CIRCULATED
        )
        # A school's notice is due when its last hazard is, and never after the circular.
        due = dict(
            Hazard.objects.filter(finding__visit__plan=circular.plan)
            .values_list("finding__visit_id")
            .annotate(last=Max("deadline"))
        )
        notices = [
            RectificationNotice(
                circular=circular,
                visit=visit,
                school=visit.school,
                county=visit.county,
                city=visit.city,
                deadline=min(due.get(visit.pk) or circular.deadline, circular.deadline),
            )
            for visit in _visits_with_findings(circular.plan)
        ]
        RectificationNotice.objects.bulk_create(notices)
        _notify(circular, notices)
    report_progress(100)
    return jobs.Outcome(result={"notices": len(notices), "pages": pages, "bytes": len(content)})


def _describe(result):
    count = result.get("notices", 0)
    return _("Circular published; %(count)s rectification notices sent.") % {"count": count}


def _notice_text(p):
    return (
        _(
            "Rectification notice under circular %(doc_number)s for %(school)s: rectify by "
            "%(deadline)s."
        )
        % p
    )


def _circular_text(p):
    return _("Circular %(doc_number)s names %(schools)s schools of %(county)s: %(title)s") % p


def register():
    """Called from ``InspectionsConfig.ready``: the job kind and the notification kinds."""
    jobs.register(
        RENDER_JOB,
        gettext_lazy("Circular publication"),
        circular_render_job,
        perm=Perm.MANAGE_INSPECTIONS,
        describe=_describe,
    )
    core_notices.register(NOTICE_KIND, _notice_text)
    core_notices.register(CIRCULAR_KIND, _circular_text)


__all__ = [
    "CIRCULAR_KIND",
    "NOTICE_KIND",
    "RENDER_JOB",
    "circular_draft",
    "circular_file_name",
    "circular_pdf",
    "circular_pdf_bytes",
    "circular_publish",
    "circular_render_job",
    "circular_update",
    "doc_number",
    "document_context",
    "register",
]
