"""Comments, files and the consultation meeting of a hazard."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from campaign.models import Meeting
from core import dates
from core.db import retry_on_conflict
from core.files import check_upload, storage_name
from hazards import policy
from hazards.models import Evidence, Hazard, HazardEvent
from hazards.services.base import (
    _event,
    _key,
    _lock,
    _planned_event,
    _refresh_five,
)
from hazards.services.tally import _tally


@transaction.atomic
def hazard_comment(*, hazard, actor, note):
    """A comment in the hazard's timeline, by someone who takes part in its register (reading
    it is not enough: see ``policy.may_comment``)."""
    policy.require_comment(actor, hazard)
    if not note.strip():
        raise ValidationError(
            {"note": ValidationError(_("Write a comment first."), code="required")}
        )
    return _event(hazard, kind=HazardEvent.Kind.COMMENT, actor=actor, note=note)


@retry_on_conflict
@transaction.atomic
def hazard_attach(*, hazard, actor, kind, upload):
    """Attach a checked upload (see core.files.check_upload) to the hazard."""
    policy.require_perm(actor, policy.attach_perm(kind), hazard)
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
    evidence.file.save(storage_name(upload.name), upload, save=False)
    evidence.save()
    if kind == Evidence.Kind.PLAN and not hazard.five_complete:
        # A plan file can be the last of the five implementations to arrive.
        before = _key(hazard)
        planned = _refresh_five(hazard, has_plan_file=True)
        hazard.save(update_fields=["five_complete", "status"])
        _tally(hazard, before, _key(hazard))
        if planned:
            _planned_event(hazard, actor=actor)
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
    """Record the consultation meeting a major hazard calls for (S12) and link it.

    Recorded by the level that accepts the hazard (the city, ``policy.require_meeting``) and
    filed under the city, which convened it."""
    policy.require_meeting(actor, hazard)
    dates.check_plausible(held_on, field="held_on")
    dates.check_plausible(deadline, field="deadline")
    meeting = Meeting.objects.create(
        kind=Meeting.Kind.CONSULTATION,
        unit=hazard.city,
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
