"""Every write of the directives (S2): issue, confirm, remind, pass on (cascade), and the
daily record of missed deadlines.

Each service checks the actor through ``campaign.directives.policy``, writes the audit row
and queues its notices on commit.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.accountability import services as accountability
from campaign.directives import policy
from campaign.models import (
    AccountabilityEntry,
    Directive,
    DirectiveAttachment,
    DirectiveReceipt,
    Meeting,
    OrgUnit,
)
from campaign.services.notices import notify_unit_people
from core import notices
from core.files import check_upload, storage_name
from core.services.audit import audit

NOTICE_ISSUED = "directive_issued"
NOTICE_REMINDER = "directive_reminder"
TEXT_MAX = 8000
NOTE_MAX = 4000
Kind = OrgUnit.Kind
State = DirectiveReceipt.State


def _render_issued(params):
    return _("%(issuer)s has assigned a directive: %(title)s. Confirm by %(deadline)s.") % params


def _render_reminder(params):
    return (
        _(
            "Reminder: the directive %(title)s of %(issuer)s is due by %(deadline)s and not "
            "yet confirmed."
        )
        % params
    )


def register_notices():
    notices.register(NOTICE_ISSUED, _render_issued)
    notices.register(NOTICE_REMINDER, _render_reminder)


def _params(directive):
    return {
        "issuer": directive.issuer.name,
        "title": directive.title,
        "deadline": directive.deadline.isoformat(),
    }


def _notify_units(directive, unit_ids, *, kind, dedupe):
    """One notice per person of each receiving unit, once per ``dedupe`` key."""
    return notify_unit_people(
        unit_ids=unit_ids,
        kind=kind,
        params=_params(directive),
        link=directive.get_absolute_url(),
        dedupe_key=f"directive:{directive.pk}:{dedupe}",
    )


def _check_texts(*, title, text, done_when):
    if not (title or "").strip():
        raise ValidationError(_("Give the directive a title."))
    if not (text or "").strip():
        raise ValidationError(_("Write what the units are to do."))
    if not (done_when or "").strip():
        raise ValidationError(_("Say what counts as done."))
    if len(text) > TEXT_MAX:
        raise ValidationError(_("The text is at most %(max)s characters long.") % {"max": TEXT_MAX})


def _check_receivers(issuer, receivers):
    if not receivers:
        raise ValidationError(_("Choose at least one receiving unit."))
    for unit in receivers:
        if unit.pk == issuer.pk or not unit.is_in_subtree_of(issuer) or not unit.is_active:
            raise ValidationError(
                _("%(unit)s is not a unit under %(issuer)s.")
                % {"unit": unit.name, "issuer": issuer.name}
            )


def _attach(directive, uploads):
    for upload in uploads:
        content_type = check_upload(upload)
        attachment = DirectiveAttachment(
            directive=directive,
            original_name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
        )
        attachment.file.save(storage_name(upload.name), upload, save=False)
        attachment.save()


def _create(
    *, issuer, title, text, done_when, deadline, receivers, uploads, actor, now, source=None
):
    _check_texts(title=title, text=text, done_when=done_when)
    _check_receivers(issuer, receivers)
    directive = Directive.objects.create(
        issuer=issuer,
        title=title.strip(),
        text=text,
        done_when=done_when.strip(),
        deadline=deadline,
        parent=source.directive if source else None,
        root=(source.directive.root or source.directive) if source else None,
        source_receipt=source,
        issued_by=actor,
        issued_at=now,
    )
    _attach(directive, uploads or ())
    DirectiveReceipt.objects.bulk_create(
        [DirectiveReceipt(directive=directive, unit=unit) for unit in receivers],
        batch_size=2000,
    )
    unit_ids = [u.pk for u in receivers]
    transaction.on_commit(
        lambda: _notify_units(directive, unit_ids, kind=NOTICE_ISSUED, dedupe="issued")
    )
    return directive


@transaction.atomic
def directive_issue(
    *, issuer, title, text, done_when, deadline, receivers, uploads=(), actor, now=None
):
    """Issue a directive of ``issuer`` to ``receivers`` (units under it), each with a receipt
    to confirm by ``deadline``."""
    now = now or timezone.now()
    if issuer.pk not in {u.pk for u in policy.units_issuing_for(actor)}:
        raise PermissionDenied
    if deadline < timezone.localdate(now):
        raise ValidationError(_("The deadline cannot be in the past."))
    directive = _create(
        issuer=issuer,
        title=title,
        text=text,
        done_when=done_when,
        deadline=deadline,
        receivers=list(receivers),
        uploads=uploads,
        actor=actor,
        now=now,
    )
    audit(
        actor=actor,
        action="directive.issue",
        unit=issuer,
        directive=directive.pk,
        receivers=len(receivers),
    )
    return directive


def _locked(receipt):
    return (
        DirectiveReceipt.objects.select_for_update(of=("self",))
        .select_related("directive", "directive__issuer", "unit")
        .get(pk=receipt.pk)
    )


@transaction.atomic
def directive_pass_on(*, receipt, deadline, receivers, note="", uploads=(), actor, now=None):
    """A receiving county passes the directive on to units under it (its schools): a child
    directive with the same title and what counts as done, due no later than its own."""
    now = now or timezone.now()
    receipt = _locked(receipt)
    if not policy.may_pass_on(actor, receipt):
        raise PermissionDenied
    if Directive.objects.filter(source_receipt=receipt).exists():
        raise ValidationError(_("This directive has already been passed on."))
    parent = receipt.directive
    if deadline > parent.deadline:
        raise ValidationError(
            _("The deadline cannot be later than the directive's own (%(date)s).")
            % {"date": parent.deadline.isoformat()}
        )
    if deadline < timezone.localdate(now):
        raise ValidationError(_("The deadline cannot be in the past."))
    text = parent.text if not (note or "").strip() else f"{note.strip()}\n\n{parent.text}"
    directive = _create(
        issuer=receipt.unit,
        title=parent.title,
        text=text[:TEXT_MAX],
        done_when=parent.done_when,
        deadline=deadline,
        receivers=list(receivers),
        uploads=uploads,
        actor=actor,
        now=now,
        source=receipt,
    )
    audit(
        actor=actor,
        action="directive.pass_on",
        unit=receipt.unit,
        directive=directive.pk,
        parent=parent.pk,
        receivers=len(receivers),
    )
    return directive


@transaction.atomic
def receipt_confirm(*, receipt, done_on, note, upload=None, meeting=None, actor, now=None):
    """The receiving unit confirms it has done what the directive asks: the date, a note,
    and a file (e.g. the minutes) or a meeting record of the unit. Late when confirmed after
    the deadline's day."""
    now = now or timezone.now()
    receipt = _locked(receipt)
    if not policy.may_confirm(actor, receipt):
        raise PermissionDenied
    if receipt.state != State.PENDING:
        raise ValidationError(_("This directive has already been confirmed."))
    if not (note or "").strip():
        raise ValidationError(_("Write a note on what was done."))
    if len(note) > NOTE_MAX:
        raise ValidationError(_("The note is at most %(max)s characters long.") % {"max": NOTE_MAX})
    if done_on is None or done_on > timezone.localdate(now):
        raise ValidationError(_("The date done cannot be in the future."))
    if meeting is not None and meeting.unit_id != receipt.unit_id:
        raise ValidationError(_("Choose a meeting record of this unit."))
    if upload is None and meeting is None:
        raise ValidationError(_("Attach a file (e.g. the minutes) or choose a meeting record."))
    if upload is not None:
        receipt.content_type = check_upload(upload)
        receipt.original_name = upload.name[:200]
        receipt.file.save(storage_name(upload.name), upload, save=False)
    receipt.done_on = done_on
    receipt.note = note
    receipt.meeting = meeting
    receipt.confirmed_at = now
    receipt.confirmed_by = actor
    late = timezone.localdate(now) > receipt.directive.deadline
    receipt.state = State.LATE if late else State.ON_TIME
    receipt.save()
    audit(
        actor=actor,
        action="directive.confirm",
        unit=receipt.unit,
        directive=receipt.directive_id,
        receipt=receipt.pk,
        late=late,
    )
    return receipt


@transaction.atomic
def directive_remind(*, directive, actor, now=None):
    """Remind the receiving units that have not confirmed (only those), once a day at most.
    Returns how many units were reminded."""
    now = now or timezone.now()
    if not policy.may_remind(actor, directive):
        raise PermissionDenied
    pending = DirectiveReceipt.objects.filter(directive=directive, state=State.PENDING)
    unit_ids = list(pending.values_list("unit_id", flat=True))
    if not unit_ids:
        raise ValidationError(_("Every receiving unit has confirmed: there is no one to remind."))
    pending.update(reminded_at=now)
    day = timezone.localdate(now).isoformat()
    audit(
        actor=actor,
        action="directive.remind",
        unit=directive.issuer,
        directive=directive.pk,
        units=len(unit_ids),
    )
    transaction.on_commit(
        lambda: _notify_units(directive, unit_ids, kind=NOTICE_REMINDER, dedupe=f"remind:{day}")
    )
    return len(unit_ids)


def directive_deadlines_record(*, today=None, actor=None):
    """Put on record (accountability) each receipt still not confirmed after its directive's
    deadline, once per receipt. Safe to run again. Returns how many were recorded."""
    today = today or timezone.localdate()
    due = (
        DirectiveReceipt.objects.filter(
            state=State.PENDING, recorded_at__isnull=True, directive__deadline__lt=today
        )
        .select_related("directive", "unit")
        .order_by("pk")
    )
    recorded = 0
    for receipt in due.iterator(chunk_size=500):
        with transaction.atomic():
            accountability.entry_record(
                unit=receipt.unit,
                kind=AccountabilityEntry.Kind.DIRECTIVE_UNCONFIRMED,
                source=receipt,
                occurred_on=receipt.directive.deadline,
                actor=actor,
            )
            DirectiveReceipt.objects.filter(pk=receipt.pk).update(recorded_at=timezone.now())
        recorded += 1
    return recorded


def receivers_for(issuer, choice, chosen=()):
    """The receiving units of a choice on the new-directive form: every county-level unit
    under a city, every school under a county, or the chosen units."""
    below = OrgUnit.objects.filter(path__startswith=issuer.path, is_active=True).exclude(
        pk=issuer.pk
    )
    if choice == "counties":
        return list(below.filter(kind=Kind.COUNTY).order_by("path"))
    if choice == "schools":
        return list(below.filter(kind=Kind.SCHOOL).order_by("path"))
    ids = [u.pk for u in chosen]
    return list(below.filter(pk__in=ids).order_by("path"))


def meetings_of(unit):
    return Meeting.objects.filter(unit=unit).order_by("-held_on", "-id")
