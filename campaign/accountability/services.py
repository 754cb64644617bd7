"""Every write of the accountability record (记录在案).

The governance parts put a fact on record when it happens (a unit absent without leave, an
incident reported late, a directive not confirmed by its deadline, a quarter without an
analysis meeting) and withdraw it when the fact is corrected (the attendance was wrong). Both
are idempotent, so that a nightly job may run twice, and both are audited.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.accountability import policy
from campaign.models import AccountabilityEntry
from core.services.audit import audit

EXPLANATION_MAX = 2000


def _key(*, unit, kind, source, period):
    return {
        "unit": unit,
        "kind": kind,
        "source_type": ContentType.objects.get_for_model(source, for_concrete_model=False),
        "source_id": source.pk,
        "period": period,
    }


@transaction.atomic
def entry_record(*, unit, kind, source, occurred_on, period="", actor=None):
    """Put ``kind`` on record for ``unit``, from ``source``; the same fact twice is one entry."""
    entry, created = AccountabilityEntry.objects.get_or_create(
        **_key(unit=unit, kind=kind, source=source, period=period),
        defaults={"occurred_on": occurred_on},
    )
    if created:
        audit(
            actor=actor,
            action="accountability.record",
            unit=unit,
            kind=kind,
            entry=entry.pk,
            source=f"{source._meta.label_lower}:{source.pk}",
            period=period,
        )
    return entry


@transaction.atomic
def entry_withdraw(*, unit, kind, source, period="", actor=None, reason=""):
    """Take the fact off the record (its source was corrected); True if there was one."""
    entry = (
        AccountabilityEntry.objects.select_for_update()
        .filter(**_key(unit=unit, kind=kind, source=source, period=period))
        .first()
    )
    if entry is None:
        return False
    audit(
        actor=actor,
        action="accountability.withdraw",
        unit=unit,
        kind=kind,
        entry=entry.pk,
        source=f"{source._meta.label_lower}:{source.pk}",
        period=period,
        occurred_on=entry.occurred_on.isoformat(),
        explanation=entry.explanation,
        reason=reason,
    )
    entry.delete()
    return True


@transaction.atomic
def entry_explain(*, entry, explanation, actor, now=None):
    """The unit's explanation of the entry (replacing an earlier one); the entry stays."""
    if not policy.may_explain(actor, entry):
        raise PermissionDenied
    explanation = (explanation or "").strip()
    if not explanation:
        raise ValidationError(_("Write the explanation."))
    if len(explanation) > EXPLANATION_MAX:
        raise ValidationError(
            _("The explanation is longer than %(max)s characters.") % {"max": EXPLANATION_MAX}
        )
    entry = AccountabilityEntry.objects.select_for_update().get(pk=entry.pk)
    previous = entry.explanation
    entry.explanation = explanation
    entry.explained_by = actor
    entry.explained_at = now or timezone.now()
    entry.save(update_fields=["explanation", "explained_by", "explained_at"])
    audit(
        actor=actor,
        action="accountability.explain",
        unit=entry.unit,
        entry=entry.pk,
        previous=previous,
    )
    return entry
