"""Registering hazards from a county's ledger (台账), one or thousands at a time.

A ledger row may say the hazard is already being rectified, rectified or accepted (整改进展
已完成 / 已验收, with a date and who). Such a hazard comes in in that state, not as registered, with
an event of kind ``imported`` that says what the ledger records; the event's actor is the person
who imported it. Every rule of the register still holds: the status follows the five
implementations, an acceptance is a record (level and opinion), and a major hazard is closed
only at city level (``hazards.policy``).

``hazard_import_with_history`` registers one hazard; ``hazards_import_batch`` registers many in
a few queries per batch (numbers reserved per city and year, rows and events created in bulk,
the tally moved once per cell) so that a 20,000-row ledger commits in seconds.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core import dates
from core.db import retry_on_conflict
from core.errors import NotPermitted, OutOfScope
from hazards import policy
from hazards.models import FIVE_IMPLEMENTATIONS, Hazard, HazardCodeCounter, HazardEvent, HazardTally
from hazards.services.base import (
    Status,
    _queue_notify,
    _units_of,
    default_deadline,
    five_implementations_missing,
)

# What a ledger can say about a hazard's progress.
RECTIFYING = "rectifying"  # 整改中
RECTIFIED = "rectified"  # 已整改 / 已完成: awaiting acceptance
ACCEPTED = "accepted"  # 已验收 / 已销号: closed
HISTORY_STATUS = {
    RECTIFYING: Status.RECTIFYING,
    RECTIFIED: Status.AWAITING_ACCEPTANCE,
    ACCEPTED: Status.CLOSED,
}
# Fields a Hazard built from a ledger row may carry (the rest is decided here).
ITEM_FIELDS = (
    "category",
    "level",
    "source",
    "location",
    "description",
    "found_on",
    "deadline",
    "provincial_ref",
    "ledger_ref",
) + tuple(f for f in FIVE_IMPLEMENTATIONS if f != "deadline")
# Hazard foreign keys the batch checks itself (full_clean would query each one per row).
_KEYS = (
    "school",
    "county",
    "city",
    "category",
    "found_by",
    "consultation_meeting",
    "rectified_by",
    "accepted_by",
)


@dataclass(frozen=True)
class LedgerHistory:
    """What the ledger says happened: the state, when (``on``) and who, in its own words."""

    state: str  # RECTIFYING | RECTIFIED | ACCEPTED
    on: dt.date | None = None
    by: str = ""
    text: str = ""


@dataclass
class LedgerItem:
    """One hazard to register from a ledger row: the school and the hazard's fields."""

    school: OrgUnit
    fields: dict
    history: LedgerHistory | None = None
    note: str = ""  # the ledger's remarks (备注), kept on the event
    row: int = 0  # the Excel row, to say where a refusal came from
    county_id: int | None = None
    city_id: int | None = None


def _chinese_date(day):
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def history_note(history):
    """The event's note: what the ledger records, in the portal's language (stored text)."""
    with translation.override(settings.LANGUAGE_CODE):
        when = _chinese_date(history.on) or _("(date not recorded)")
        who = history.by or _("(not recorded)")
        if history.state == ACCEPTED:
            text = _("Imported from a ledger that records it as accepted on %(date)s by %(who)s.")
        elif history.state == RECTIFIED:
            text = _("Imported from a ledger that records it as rectified on %(date)s by %(who)s.")
        else:
            text = _("Imported from a ledger that records its rectification as under way.")
        text = text % {"date": when, "who": who}
        if history.text:
            text += "\n" + _("The ledger says: %(text)s") % {"text": history.text}
        return text


def imported_opinion(history):
    """The acceptance opinion of a hazard the ledger says was accepted: clearly imported."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "(Imported from a ledger: accepted on %(date)s by %(who)s, as the ledger records it.)"
        ) % {"date": _chinese_date(history.on), "who": history.by or _("(not recorded)")}


def _refuse(message, code):
    raise ValidationError(message, code=code)


def _fill_gaps(hazard, school):
    """Parts of the five implementations ledgers rarely keep, filled for a hazard the ledger
    says is rectified: the school as the responsible unit, the source of funds as not recorded,
    the funds as secured (the work was paid for). What the ledger does keep is never invented."""
    if not hazard.responsible_unit:
        hazard.responsible_unit = school.name[:100]
    if not hazard.funds_source:
        with translation.override(settings.LANGUAGE_CODE):
            hazard.funds_source = _("(not recorded in the ledger)")
    if hazard.funds_secured is None and hazard.funds_amount is not None:
        hazard.funds_secured = True


def _apply_history(hazard, history, *, actor, school):
    """Put ``hazard`` in the state ``history`` records, or refuse with a message that says why
    (a ``ValidationError`` with a code)."""
    _fill_gaps(hazard, school)
    missing = five_implementations_missing(hazard, has_plan_file=False)
    if missing:
        _refuse(
            _(
                "The ledger says this hazard is %(state)s, but the portal records such a hazard "
                "only with its five implementations. Missing: %(missing)s."
            )
            % {"state": history_label(history.state), "missing": "、".join(missing)},
            "five_incomplete",
        )
    hazard.five_complete = True
    if history.on is not None:
        dates.check_plausible(history.on, field="progress")
        if history.on < hazard.found_on:
            _refuse(_("The ledger's date of progress is before the date found."), "date")
        if history.on > timezone.localdate():
            _refuse(_("The ledger's date of progress cannot be in the future."), "date")
    hazard.status = HISTORY_STATUS[history.state]
    if history.state != ACCEPTED:
        return
    if history.on is None:
        _refuse(
            _("Give the date of acceptance (e.g. 已验收 2019-12-20 张三, or a 验收时间 column)."),
            "required",
        )
    level = policy.acceptance_level(actor, hazard)
    if level is None:
        if hazard.level == Hazard.Level.MAJOR:
            message = _(
                "A major hazard is accepted by the city, so only the city may import one as "
                "accepted. Import it as rectified, or ask the city to import it."
            )
        else:
            message = _(
                "A hazard is accepted by the county or the city, so only they may import one as "
                "accepted. Import it as rectified, or ask the county to import it."
            )
        _refuse(message, "level")
    hazard.accepted_level = level
    hazard.acceptance_opinion = imported_opinion(history)
    hazard.closed_at = timezone.make_aware(dt.datetime.combine(history.on, dt.time(12)))


def history_label(state):
    return {
        RECTIFYING: _("being rectified"),
        RECTIFIED: _("rectified"),
        ACCEPTED: _("accepted"),
    }[state]


def build_hazard(item, *, actor, now=None):
    """The unsaved hazard of one ledger item, in the state its history says (no number yet).
    Raises ``ValidationError`` (with a code) when a rule of the register refuses it."""
    values = item.fields
    unknown = set(values) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"not a field of a ledger item: {sorted(unknown)}")
    found_on = values["found_on"]
    dates.check_plausible(found_on, field="found_on")
    dates.check_plausible(values.get("deadline"), field="deadline")
    if found_on > timezone.localdate():
        _refuse(_("The date found cannot be in the future."), "date")
    now = now or timezone.now()
    hazard = Hazard(
        school=item.school,
        county_id=item.county_id,
        city_id=item.city_id,
        found_by=actor,
        created_at=now,
        updated_at=now,
        **{k: v for k, v in values.items() if v is not None},
    )
    if hazard.deadline is None:
        hazard.deadline = default_deadline(
            category=hazard.category, level=hazard.level, found_on=found_on
        )
    if item.history is not None:
        _apply_history(hazard, item.history, actor=actor, school=item.school)
    else:
        hazard.five_complete = not five_implementations_missing(hazard, has_plan_file=False)
        hazard.status = Status.PLANNED if hazard.five_complete else Status.REPORTED
    hazard.clean_fields(exclude=_KEYS + ("code",))
    return hazard


def _events(hazard, item, *, actor, now):
    """The events of a hazard registered from a ledger, as the ordinary registration writes
    them (registered, then planned when the five are complete), or one ``imported`` event
    when the ledger carries its history."""
    note = item.note
    if item.history is not None:
        text = history_note(item.history)
        return [
            HazardEvent(
                hazard=hazard,
                kind=HazardEvent.Kind.IMPORTED,
                actor=actor,
                at=now,
                to_status=hazard.status,
                note=f"{text}\n{note}" if note else text,
            )
        ]
    events = [
        HazardEvent(
            hazard=hazard,
            kind=HazardEvent.Kind.REGISTERED,
            actor=actor,
            at=now,
            to_status=Status.REPORTED,
            note=note,
        )
    ]
    if hazard.status == Status.PLANNED:
        events.append(
            HazardEvent(
                hazard=hazard,
                kind=HazardEvent.Kind.TRANSITION,
                actor=actor,
                at=now,
                from_status=Status.REPORTED,
                to_status=Status.PLANNED,
            )
        )
    return events


def _reserve_codes(city_code, year, count):
    """``count`` new numbers for the city and year, reserved in one update of the counter."""
    last = _counter_add(city_code, year, count)
    if last is None:  # the year's first number
        HazardCodeCounter.objects.get_or_create(prefix=city_code, year=year)
        last = _counter_add(city_code, year, count)
    return [f"{city_code}-{year}-{n:06d}" for n in range(last - count + 1, last + 1)]


def _counter_add(prefix, year, count):
    """Add ``count`` to the counter and read the new last number in one statement (UPDATE …
    RETURNING: PostgreSQL and SQLite ≥ 3.35 alike), or None when the counter does not exist."""
    table = HazardCodeCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + %s WHERE prefix = %s AND year = %s "  # noqa: S608
            "RETURNING last",
            [count, prefix, year],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _tally_add(cells):
    """Add the new hazards to the tally, one update per cell, cells in the fixed order the
    services use (``hazards.services.tally``), so that an import and a transition in the same
    county cannot deadlock."""
    # One upsert per cell (INSERT … ON CONFLICT: PostgreSQL and SQLite alike) on the cell's
    # unique constraint: the first hazard of a cell creates it, without a savepoint.
    table = HazardTally._meta.db_table
    with connection.cursor() as cursor:
        for (area_id, city_id, status, five), count in sorted(cells.items()):
            cursor.execute(
                f"INSERT INTO {table} (area_id, city_id, status, five_complete, count) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (area_id, status, five_complete) "
                f"DO UPDATE SET count = {table}.count + excluded.count",
                [area_id, city_id, status, five, count],
            )


def _notify_worthy(hazard, event):
    """An import queues a notice only where one matters: a major hazard to the city, a hazard
    awaiting acceptance to its acceptors (not one notice per row of a 20,000-row ledger)."""
    if event.kind == HazardEvent.Kind.REGISTERED:
        return hazard.is_major
    return event.to_status == Status.AWAITING_ACCEPTANCE


def _locate(items):
    """Fill each item's county and city from its school (one query for all the schools)."""
    paths = {}
    for item in items:
        if item.city_id is None:
            paths[item.school.pk] = item.school
    if not paths:
        return
    ancestor_ids = {pk for s in paths.values() for pk in s.ancestor_ids()[:-1]}
    kinds = dict(OrgUnit.objects.filter(pk__in=ancestor_ids).values_list("pk", "kind"))
    for item in items:
        if item.city_id is not None:
            continue
        for pk in item.school.ancestor_ids()[:-1]:
            if kinds.get(pk) == OrgUnit.Kind.COUNTY:
                item.county_id = pk
            elif kinds.get(pk) == OrgUnit.Kind.CITY:
                item.city_id = pk


def _check_schools(items, actor):
    for item in items:
        school = item.school
        if school.kind != OrgUnit.Kind.SCHOOL:
            raise ValidationError(_("Hazards are registered at a school."))
        if not access.has_perm_at(actor, Perm.VIEW, school):
            raise OutOfScope
        if not access.has_perm_at(actor, Perm.REGISTER_HAZARD, school):
            raise NotPermitted


class BatchRefused(Exception):
    """A rule refused a ledger item: ``row`` says which, ``error`` is the ``ValidationError``
    (with its code and messages). Nothing of the batch was written."""

    def __init__(self, row, error):
        super().__init__(*error.messages)
        self.row = row
        self.error = error
        self.messages = error.messages
        self.code = getattr(error, "code", None)


@transaction.atomic
def hazards_import_batch(items, *, actor, progress=None, scope_checked_by=""):
    """Register every item (``LedgerItem``) or none; see ``register_batch``."""
    return register_batch(items, actor=actor, progress=progress, scope_checked_by=scope_checked_by)


def register_batch(items, *, actor, progress=None, scope_checked_by=""):
    """Register every item (``LedgerItem``), in the caller's transaction; returns the hazards,
    in order.

    ``scope_checked_by``: a higher app that has checked its own rule for the actor (an
    inspection team, see ``hazards.services.findings``) names it; the unit permissions are then
    not asked again. Raises ``BatchRefused`` (a ``ValidationError`` with the item's ``row``)
    for the first item a rule refuses, ``OutOfScope``/``NotPermitted`` for a school the actor
    may not register at.
    ``progress(done, total)`` is called every 500 items.
    """
    items = list(items)
    if not scope_checked_by:
        _check_schools(items, actor)
    _locate(items)
    now = timezone.now()
    hazards = []
    for n, item in enumerate(items, start=1):
        try:
            hazards.append(build_hazard(item, actor=actor, now=now))
        except ValidationError as exc:
            raise BatchRefused(item.row, exc) from exc
        if progress and n % 500 == 0:
            progress(n, len(items))
    city_codes = dict(
        OrgUnit.objects.filter(pk__in={h.city_id for h in hazards}).values_list("pk", "code")
    )
    wanted = Counter((h.city_id, h.found_on.year) for h in hazards)
    codes = {
        key: iter(_reserve_codes(city_codes[key[0]], key[1], count))
        for key, count in sorted(wanted.items())
    }
    for hazard in hazards:
        hazard.code = next(codes[(hazard.city_id, hazard.found_on.year)])
    Hazard.objects.bulk_create(hazards, batch_size=500)
    cells = Counter(
        (h.county_id or h.city_id, h.city_id, h.status, h.five_complete) for h in hazards
    )
    _tally_add(cells)
    events = []
    for hazard, item in zip(hazards, items, strict=True):
        events += _events(hazard, item, actor=actor, now=now)
    HazardEvent.objects.bulk_create(events, batch_size=500)
    to_notify = [e.pk for e in events if _notify_worthy(e.hazard, e)]
    for event_id in to_notify:
        transaction.on_commit(lambda event_id=event_id: _queue_notify(event_id))
    return hazards


@retry_on_conflict
@transaction.atomic
def hazard_import_with_history(*, school, actor, history=None, note="", **fields):
    """Register one hazard from a ledger row, in the state its ``history`` (``LedgerHistory``)
    records, with its event. ``fields`` are the hazard's (``ITEM_FIELDS``)."""
    county, city = _units_of(school)
    item = LedgerItem(
        school=school,
        fields=fields,
        history=history,
        note=note,
        county_id=county.pk if county else None,
        city_id=city.pk,
    )
    try:
        return hazards_import_batch([item], actor=actor)[0]
    except BatchRefused as exc:
        raise exc.error from None
