"""A visit at the school: start at the gate, answer item by item (each answer saved as it is
given, a resend harmless), photos, finish (sealed, findings → hazards, results), amendments."""

import hashlib
import json
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Avg, Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.files import sniff
from core.services.audit import audit
from hazards import services as hazard_services
from hazards.models import Evidence, Hazard, HazardCategory
from inspections import policy, scoring
from inspections.models import (
    Amendment,
    Answer,
    AnswerPhoto,
    ChecklistItem,
    InspectionPlan,
    PlanCountyResult,
    SectionResult,
    Visit,
    VisitResult,
)

VState = Visit.State
PState = InspectionPlan.State
Result = Answer.Result
PHOTO_MAX_BYTES = 15 * 1024 * 1024
AUTHORISED = "unannounced inspection"  # recorded with the hazards the team registers


def _lock(visit, allowed=None):
    """The visit locked, with its plan and school; in one of the ``allowed`` states (None: any,
    for a caller that checks the state after the permission: ``_require_state``)."""
    locked = Visit.objects.select_for_update().select_related("plan", "school").get(pk=visit.pk)
    if allowed is not None:
        _require_state(locked, allowed)
    return locked


def _require_state(visit, allowed):
    if visit.state not in allowed:
        if visit.state == VState.FINISHED:
            raise Conflict(_("The visit is finished and sealed: correct it with an amendment."))
        raise Conflict(_("Start the visit first."))


def _coordinate(value, bound):
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if -bound <= number <= bound else None


@transaction.atomic
def visit_start(*, visit, actor, latitude=None, longitude=None, accuracy=None):
    """Start at the gate: the server's time, the browser's location when the inspector allows
    it. From now on the school and its units see the visit."""
    policy.require_conduct(actor, visit)
    visit = _lock(visit, (VState.SCHEDULED,))
    plan = InspectionPlan.objects.select_for_update().get(pk=visit.plan_id)
    if plan.state not in (PState.SEALED, PState.IN_PROGRESS):
        raise Conflict(_("The plan is not sealed."))
    today = timezone.localdate()
    if not plan.period_start <= today <= plan.period_end:
        raise ValidationError(
            _("The plan runs from %(start)s to %(end)s: the visit cannot start today.")
            % {"start": plan.period_start, "end": plan.period_end}
        )
    visit.state = VState.STARTED
    visit.started_at = timezone.now()
    visit.started_by = actor
    visit.latitude = _coordinate(latitude, 90)
    visit.longitude = _coordinate(longitude, 180)
    visit.location_accuracy = _coordinate(accuracy, 1e6) if visit.latitude is not None else None
    visit.save()
    if plan.state == PState.SEALED:
        plan.state = PState.IN_PROGRESS
        plan.save(update_fields=["state"])
    audit(actor=actor, action="inspection.visit_start", unit=visit.school, visit=visit.code)
    return visit


def _number(value):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace("，", ".").replace(",", "."))
    except InvalidOperation:
        raise ValidationError({"value": _("Enter a number.")}) from None
    if not number.is_finite() or abs(number) >= 10_000_000:
        raise ValidationError({"value": _("Enter a number.")})
    return number.quantize(Decimal("0.1"))


@transaction.atomic
def answer_save(
    *,
    visit,
    actor,
    item=None,
    recheck=None,
    result=None,
    value=None,
    note="",
    category=None,
    level="",
    client_id="",
):
    """Save (or change) the answer to one item or re-check while the visit is under way.

    Idempotent: the same answer sent twice (a resend after a dropped connection) is one row.
    A number is judged against its limit; a failure's hazard category and grade default to
    the item's and may be changed until the visit is finished.
    """
    policy.require_conduct(actor, visit)
    visit = _lock(visit, (VState.STARTED,))
    if (item is None) == (recheck is None):
        raise ValidationError(_("Answer one item."))
    note = (note or "").strip()[:4000]
    if item is not None:
        if item.version_id != visit.version_id:
            raise ValidationError(_("This item is not on the visit's checklist."))
        try:
            result, limit = scoring.judge(item, _number(value), visit.school, result=result)
        except ValueError:
            if item.answer_type == ChecklistItem.AnswerType.PASS_FAIL:
                raise ValidationError(
                    {"result": _("Choose pass, fail or not applicable.")}
                ) from None
            raise ValidationError({"value": _("Enter the number you counted.")}) from None
        value = _number(value) if item.answer_type != ChecklistItem.AnswerType.PASS_FAIL else None
        if result == Result.NA:
            value = None
    else:
        if recheck.plan_id != visit.plan_id or recheck.hazard.school_id != visit.school_id:
            raise ValidationError(_("This re-check is not part of the visit."))
        if result not in (Result.PASS, Result.FAIL):
            raise ValidationError({"result": _("Say whether the rectification holds.")})
        limit = value = None
    if level and level not in Hazard.Level.values:
        raise ValidationError({"level": _("Choose a grade.")})
    if category is not None and not isinstance(category, HazardCategory):
        raise TypeError("category is a HazardCategory")
    fields = {
        "result": result,
        "value": value,
        "limit": limit,
        "note": note,
        "category": category if result == Result.FAIL else None,
        "level": level if result == Result.FAIL else "",
        "answered_by": actor,
        "answered_at": timezone.now(),
        "client_id": (client_id or "")[:64],
    }
    key = (
        {"visit": visit, "item": item} if item is not None else {"visit": visit, "recheck": recheck}
    )
    answer = Answer.objects.filter(**key).first()
    if answer is None:
        try:
            with transaction.atomic():
                return Answer.objects.create(**key, **fields)
        except IntegrityError:  # the same answer arrived twice at once
            answer = Answer.objects.get(**key)
    same = all(
        getattr(answer, name) == fields[name] for name in ("result", "value", "note", "level")
    ) and answer.category_id == (category.pk if fields["category"] else None)
    if not same:
        for name, val in fields.items():
            setattr(answer, name, val)
        answer.save()
    return answer


@transaction.atomic
def photo_add(*, visit, answer, upload, client_id, actor):
    """A photo for an answer, kept with its SHA-256. The same ``client_id`` again (the browser
    resending after a dropped connection) returns the photo already stored."""
    policy.require_conduct(actor, visit)
    visit = _lock(visit, (VState.STARTED,))
    client_id = (client_id or "").strip()[:64]
    if not client_id:
        raise ValidationError(_("The photo has no id: reload the page and take it again."))
    existing = AnswerPhoto.objects.filter(visit=visit, client_id=client_id).first()
    if existing is not None:
        return existing
    if answer.visit_id != visit.pk:
        raise ValidationError(_("This answer is not part of the visit."))
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("The photo is larger than 15 MB."))
    if upload.size == 0:
        raise ValidationError(_("The photo is empty."))
    digest = hashlib.sha256()
    upload.seek(0)
    head = upload.read(16)
    content_type = sniff(head)
    if content_type is None or not content_type.startswith("image/"):
        raise ValidationError(_("Only photos (JPEG, PNG, GIF, WebP, HEIC) are accepted."))
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    photo = AnswerPhoto(
        visit=visit,
        answer=answer,
        client_id=client_id,
        original_name=(upload.name or "")[:200],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        taken_by=actor,
    )
    photo.file.save(f"{client_id}.jpg", upload, save=False)
    try:
        with transaction.atomic():
            photo.save()
    except IntegrityError:
        photo.file.delete(save=False)
        return AnswerPhoto.objects.get(visit=visit, client_id=client_id)
    return photo


# --- Finishing: the seal, the findings, the results ---------------------------------------


def record_of(visit, answers, photos):
    """The sealed record: what the digest covers (canonical JSON)."""
    by_answer = defaultdict(list)
    for photo in photos:
        by_answer[photo.answer_id].append(photo.sha256)
    return {
        "visit": visit.code,
        "school": visit.school_id,
        "version": visit.version_id,
        "started_at": visit.started_at.isoformat(),
        "finished_at": visit.finished_at.isoformat() if visit.finished_at else None,
        "answers": [
            {
                "item": a.item.code if a.item_id else None,
                "recheck": a.recheck.hazard.code if a.recheck_id else None,
                "result": a.result,
                "value": str(a.value) if a.value is not None else None,
                "limit": str(a.limit) if a.limit is not None else None,
                "note": a.note,
                "category": a.category_id,
                "level": a.level,
                "photos": sorted(by_answer[a.pk]),
            }
            for a in answers
        ],
    }


def sealed_digest(visit, answers, photos):
    text = json.dumps(
        record_of(visit, answers, photos), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


def verify_seal(visit):
    """Does the stored record still give the digest recorded at finishing?"""
    visit = Visit.objects.get(pk=visit.pk)
    answers = list(visit.answers.select_related("item", "recheck__hazard").order_by("pk"))
    photos = list(visit.photos.all())
    return sealed_digest(visit, answers, photos) == visit.sealed_digest


def _finding(answer, visit, today, categories):
    """The hazard a failed answer becomes; ``categories``: {id: HazardCategory} of the failed
    items, read once for the visit."""
    item = answer.item
    section = item.section_name
    text = item.text
    if answer.value is not None:
        text = _("%(item)s (found %(value)s, limit %(limit)s)") % {
            "item": item.text,
            "value": f"{answer.value.normalize():f}",
            "limit": f"{answer.limit.normalize():f}" if answer.limit is not None else "—",
        }
    description = text if not answer.note else f"{text}\n{answer.note}"
    return {
        "school": visit.school,
        "county_id": visit.county_id,
        "city_id": visit.city_id,
        "category": categories[answer.category_id or item.category_id],
        "level": answer.level or item.level,
        "location": section[:200],
        "description": description,
        "found_on": today,
        "note": _("Found by the unannounced inspection “%(plan)s”.") % {"plan": visit.plan.title},
    }


# What finishing reads of the items and answers: plain rows, not model instances (the
# benchmark's bare SQL reads the same; building 160 instances cost a tenth of the time).
_ITEM = ("pk", "code", "text", "section_id", "category_id", "level", "weight", "critical")
_ITEM_SECTION = {"section_name": F("section__name")}
_ANSWER = (
    "pk",
    "item_id",
    "recheck_id",
    "result",
    "value",
    "limit",
    "note",
    "category_id",
    "level",
)


@transaction.atomic
def visit_finish(*, visit, actor):
    """Finish and seal the visit: every item must have an answer. Each failed item becomes a
    hazard in the register (with its photos), each failed re-check reopens its hazard, and the
    visit's score is stored for the assessment."""
    # Locked first, so that the permission is read from the locked row and its plan (one
    # read); an actor refused leaves nothing but the lock, released with the transaction.
    visit = _lock(visit)
    policy.require_conduct(actor, visit)
    _require_state(visit, (VState.STARTED,))
    # The items and answers are read once, without their related rows: only the failed
    # ones need a section's name and a category (read below), and a re-check's hazard comes
    # from the plan's re-checks of this school.
    items = [
        SimpleNamespace(**row)
        for row in ChecklistItem.objects.filter(version_id=visit.version_id).values(
            *_ITEM, **_ITEM_SECTION
        )
    ]
    answers = [SimpleNamespace(**row) for row in visit.answers.order_by("pk").values(*_ANSWER)]
    answered = {a.item_id for a in answers if a.item_id}
    missing = [i for i in items if i.pk not in answered]
    rechecks = list(
        visit.plan.rechecks.filter(hazard__school_id=visit.school_id).select_related("hazard")
    )
    recheck_by_id = {r.pk: r for r in rechecks}
    for a in answers:
        a.recheck = recheck_by_id.get(a.recheck_id)
    missing_rechecks = {r.pk for r in rechecks} - {a.recheck_id for a in answers if a.recheck_id}
    if missing or missing_rechecks:
        raise ValidationError(
            _("%(n)s items have no answer yet: %(items)s")
            % {
                "n": len(missing) + len(missing_rechecks),
                "items": "、".join(i.text for i in missing[:5]) or _("re-checks"),
            },
            code="unanswered",
        )
    now = timezone.now()
    today = timezone.localdate()
    item_by_id = {i.pk: i for i in items}
    for a in answers:
        if a.item_id:
            a.item = item_by_id[a.item_id]
    failed = [a for a in answers if a.item_id and a.result == Result.FAIL]
    categories = {}
    if failed:
        categories = HazardCategory.objects.in_bulk(
            {a.category_id or a.item.category_id for a in failed}
        )
    hazards = hazard_services.hazards_register_findings(
        [_finding(a, visit, today, categories) for a in failed],
        actor=actor,
        authorised_by=AUTHORISED,
    )
    photos = list(visit.photos.all())
    by_answer = defaultdict(list)
    for photo in photos:
        by_answer[photo.answer_id].append(photo)
    evidence = []
    for answer, hazard in zip(failed, hazards, strict=True):
        for photo in by_answer[answer.pk]:
            evidence.append(
                hazard_services.evidence_link(
                    hazard=hazard,
                    actor=photo.taken_by,
                    kind=Evidence.Kind.BEFORE,
                    stored_name=photo.file.name,
                    original_name=photo.original_name or f"{photo.client_id}.jpg",
                    content_type=photo.content_type,
                    size=photo.size,
                    at=photo.uploaded_at,
                )
            )
    _link_hazards([(answer.pk, hazard.pk) for answer, hazard in zip(failed, hazards, strict=True)])
    hazard_services.evidence_link_many(evidence)
    for answer in answers:
        if answer.recheck_id and answer.result == Result.FAIL:
            hazard = answer.recheck.hazard
            if hazard.status == Hazard.Status.CLOSED:
                reason = _("Re-check by the inspection “%(plan)s” failed: %(note)s") % {
                    "plan": visit.plan.title,
                    "note": answer.note or _("the rectification does not hold"),
                }
                hazard_services.hazard_reopen_by_recheck(
                    hazard=hazard, actor=actor, note=reason, authorised_by=AUTHORISED
                )
    visit.state = VState.FINISHED
    visit.finished_at = now
    visit.finished_by = actor
    visit.sealed_digest = sealed_digest(visit, answers, photos)
    visit.save(update_fields=["state", "finished_at", "finished_by", "sealed_digest"])
    _store_result(visit, items, answers, today, first=True)
    audit(
        actor=actor,
        action="inspection.visit_finish",
        unit=visit.school,
        visit=visit.code,
        digest=visit.sealed_digest,
        hazards=[h.code for h in hazards],
    )
    return visit


def _link_hazards(pairs):
    """Each failed answer's hazard (``pairs``: (answer id, hazard id)), in one UPDATE written
    out: ``bulk_update`` builds the same CASE through the ORM's expressions at several times the
    cost (the finishing benchmark)."""
    if not pairs:
        return
    table = Answer._meta.db_table
    column = Answer._meta.get_field("hazard").column
    whens = " ".join(["WHEN %s THEN %s"] * len(pairs))
    ids = ", ".join(["%s"] * len(pairs))
    params = [x for pair in pairs for x in pair] + [answer_id for answer_id, _h in pairs]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = CASE id {whens} END WHERE id IN ({ids})",  # noqa: S608
            params,
        )


def _store_result(visit, items, answers, finished_on, *, first=False):
    """The visit's score rows, stored again after an amendment (``first``: nothing to drop)."""
    results = {a.item_id: a.result for a in answers if a.item_id}
    total, sections = scoring.score(results, items)
    if not first:
        VisitResult.objects.filter(visit=visit).delete()
    row = VisitResult.objects.create(
        visit=visit,
        plan_id=visit.plan_id,
        school_id=visit.school_id,
        county_id=visit.county_id,
        city_id=visit.city_id,
        finished_on=finished_on,
        items_checked=total["checked"],
        items_failed=total["failed"],
        critical_failed=total["critical"],
        weight_applicable=total["applicable"],
        weight_passed=total["passed"],
        score=total["score"],
        sections_failed=total["sections_failed"],
    )
    SectionResult.objects.bulk_create(
        SectionResult(
            visit_result=row,
            section_id=section_id,
            items_checked=s["checked"],
            items_failed=s["failed"],
            critical_failed=s["critical"],
            weight_applicable=s["applicable"],
            weight_passed=s["passed"],
            score=s["score"],
            failed=s["section_failed"],
        )
        for section_id, s in sections.items()
    )
    return row


def effective(answer):
    """The answer as it stands after its amendments: {field: value}."""
    current = {"result": answer.result, "value": answer.value, "note": answer.note}
    for amendment in answer.amendments.all():
        current[amendment.field] = amendment.new
    return current


@transaction.atomic
def answer_amend(*, answer, actor, reason, result=None, value=None, note=None):
    """Correct a sealed answer: one amendment per changed field (who, when, why, old → new).
    The original answer and the seal stay as they were; the score is stored again from the
    amended answers. A failure amended to a pass keeps its hazard (the register's own loop
    closes it); a pass amended to a failure is not registered by itself — the finding's page
    says so and the team registers it."""
    visit = answer.visit
    policy.require_amend(actor, visit)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.state != VState.FINISHED:
        raise Conflict(_("Change the answer itself until the visit is finished."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the record is corrected.")})
    current = effective(answer)
    made = []
    wanted = {}
    if result is not None:
        if result not in Result.values:
            raise ValidationError({"result": _("Choose pass, fail or not applicable.")})
        wanted["result"] = result
    if value is not None and value != "":
        wanted["value"] = str(_number(value))
    if note is not None:
        wanted["note"] = note.strip()[:4000]
    for field, new in wanted.items():
        old = current[field]
        old = str(old) if isinstance(old, Decimal) else old
        if old == new:
            continue
        made.append(
            Amendment.objects.create(
                visit=visit, answer=answer, field=field, old=old, new=new, reason=reason, by=actor
            )
        )
    if not made:
        raise ValidationError(_("Nothing was changed."))
    items = list(ChecklistItem.objects.filter(version_id=visit.version_id))
    answers = list(visit.answers.prefetch_related("amendments"))
    for a in answers:
        a.result = effective(a)["result"]
    _store_result(visit, items, answers, visit.result.finished_on)
    audit(
        actor=actor,
        action="inspection.answer_amend",
        unit=visit.school,
        visit=visit.code,
        fields=[m.field for m in made],
        reason=reason,
    )
    return made


@transaction.atomic
def plan_finish(*, plan, actor):
    """Close the round: every started visit must be finished; visits never started are
    dropped from the results (and stay hidden). Rolls the results up per county."""
    policy.require_manage(actor, plan)
    plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.state not in (PState.SEALED, PState.IN_PROGRESS):
        raise Conflict(
            _("The plan is %(state)s: this can no longer be done.")
            % {"state": plan.get_state_display()}
        )
    if plan.visits.filter(state=VState.STARTED).exists():
        raise ValidationError(_("Some visits are still under way: finish them first."))
    if not plan.visits.filter(state=VState.FINISHED).exists():
        raise ValidationError(_("No visit has been carried out yet."))
    plan_results_store(plan)
    plan.state = PState.FINISHED
    plan.finished_at = timezone.now()
    plan.save(update_fields=["state", "finished_at"])
    audit(actor=actor, action="inspection.plan_finish", unit=plan.city, plan=plan.code)
    return plan


def plan_results_store(plan):
    PlanCountyResult.objects.filter(plan=plan).delete()
    rows = (
        VisitResult.objects.filter(plan=plan)
        .values("county_id")
        .annotate(
            schools=Count("id"),
            checked=Sum("items_checked"),
            failed=Sum("items_failed"),
            critical=Sum("critical_failed"),
            mean=Avg("score"),
        )
    )
    PlanCountyResult.objects.bulk_create(
        PlanCountyResult(
            plan=plan,
            county_id=r["county_id"],
            schools=r["schools"],
            items_checked=r["checked"] or 0,
            items_failed=r["failed"] or 0,
            critical_failed=r["critical"] or 0,
            score=Decimal(r["mean"] or 0).quantize(Decimal("0.1")),
        )
        for r in rows
    )
