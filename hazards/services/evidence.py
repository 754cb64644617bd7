"""Comments, files and the consultation meeting of a hazard."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from campaign.models import Meeting
from campaign.roles import Perm
from hazards.models import Evidence, Hazard, HazardEvent
from hazards.services.base import (
    Status,
    _event,
    _key,
    _lock,
    _move,
    _require,
    five_implementations_missing,
)
from hazards.services.tally import _tally


@transaction.atomic
def hazard_comment(*, hazard, actor, note):
    if not note.strip():
        raise ValidationError({"note": _("Write a comment first.")})
    _require(actor, Perm.VIEW, hazard)
    return _event(hazard, kind=HazardEvent.Kind.COMMENT, actor=actor, note=note)


@transaction.atomic
def hazard_attach(*, hazard, actor, kind, upload):
    """Attach a checked upload (see hazards.files.check_upload) to the hazard."""
    from hazards.files import check_upload

    perm = Perm.REGISTER_HAZARD if kind == Evidence.Kind.BEFORE else Perm.MANAGE_HAZARD
    _require(actor, perm, hazard)
    # Locked, so a file cannot slip onto a hazard someone has just closed.
    hazard = _lock(hazard, Hazard.OPEN_STATUSES)
    content_type = check_upload(upload)
    event = _event(hazard, kind=HazardEvent.Kind.FILE, actor=actor, note=upload.name[:200])
    evidence = Evidence(
        hazard=hazard,
        event=event,
        kind=kind,
        original_name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    evidence.file.save(upload.name[-100:], upload, save=False)
    evidence.save()
    if kind == Evidence.Kind.PLAN:
        # A plan file can be the last of the five implementations to arrive.
        before = _key(hazard)
        hazard.five_complete = not five_implementations_missing(hazard, has_plan_file=True)
        hazard.save(update_fields=["five_complete"])
        _tally(hazard, before, _key(hazard))
        if hazard.status == Status.REPORTED and hazard.five_complete:
            _move(hazard, actor=actor, to=Status.PLANNED, note="")
    return evidence


@transaction.atomic
def consultation_meeting_record(
    *,
    hazard,
    actor,
    held_on,
    attendees,
    opinions,
    measures,
    deadline,
    responsible_department,
    title="",
):
    """Record the consultation meeting a major hazard calls for (S12) and link it."""
    _require(actor, Perm.ACCEPT_HAZARD, hazard)
    unit = hazard.county or hazard.city
    meeting = Meeting.objects.create(
        kind=Meeting.Kind.CONSULTATION,
        unit=unit,
        title=title or _("Consultation meeting on hazard %(code)s") % {"code": hazard.code},
        held_on=held_on,
        attendees=attendees,
        opinions=opinions,
        measures=measures,
        deadline=deadline,
        responsible_department=responsible_department,
        recorded_by=actor,
    )
    Hazard.objects.filter(pk=hazard.pk).update(consultation_meeting=meeting)
    hazard.consultation_meeting = meeting
    _event(hazard, kind=HazardEvent.Kind.MEETING, actor=actor, note=meeting.title)
    return meeting
