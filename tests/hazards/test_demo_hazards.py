"""The demo register (seed_demo) and the scale hazards (seed_scale --hazards)."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from campaign.models import OrgUnit
from hazards import demo, services
from hazards.models import Hazard, HazardCategory, HazardCodeCounter, HazardEvent
from tests.hazards.conftest import local

Status = Hazard.Status
# The loop's order, to check that each story only moves along allowed steps.
ALLOWED = {
    ("", Status.REPORTED),
    (Status.REPORTED, Status.PLANNED),
    (Status.PLANNED, Status.RECTIFYING),
    (Status.RECTIFYING, Status.AWAITING_ACCEPTANCE),
    (Status.AWAITING_ACCEPTANCE, Status.CLOSED),
    (Status.AWAITING_ACCEPTANCE, Status.RECTIFYING),
}


@pytest.fixture
def many_schools(tree):
    from tests.factories import SchoolFactory

    for i in range(30):
        SchoolFactory(code=f"NT-TZ-1{i:03d}", parent=tree.tongzhou)
    return tree


# The clock stands on a fixed day (time-machine), so that the register, dated relative to
# "now", is the same in every run whatever the date.
TODAY = dt.date(2026, 5, 20)


@pytest.fixture(autouse=True)
def on_today(time_machine):
    time_machine.move_to(local(TODAY, 18))


def _now():
    """The demo's "now": a fixed moment of today (the local wall time seed_demo uses)."""
    return dt.datetime.combine(TODAY, dt.time(17, 0))


def test_demo_register_is_consistent(many_schools, county_staff, city_staff):
    tree = many_schools
    assert demo.seed_demo_hazards(city=tree.city, total=400, now=_now()) == 400
    hazards = list(Hazard.objects.all())
    assert len(hazards) == 400
    statuses = Counter(h.status for h in hazards)
    assert set(statuses) == set(Status.values)  # every state occurs
    assert statuses[Status.CLOSED] > statuses[Status.REPORTED]
    events = {}
    for event in HazardEvent.objects.order_by("at", "id"):
        events.setdefault(event.hazard_id, []).append(event)
    for h in hazards:
        story = [e for e in events[h.pk] if e.kind in ("registered", "transition")]
        assert story[0].kind == HazardEvent.Kind.REGISTERED
        steps = [(e.from_status, e.to_status) for e in story]
        assert set(steps) <= ALLOWED, h.code
        assert story[-1].to_status == h.status, h.code
        assert [e.at for e in story] == sorted(e.at for e in story)
        # The status follows the data: registered exactly while the page shows a gap in the
        # five implementations (so a planned one offers "start rectification").
        missing = services.five_implementations_missing(h)
        assert (h.status == Status.REPORTED) == bool(missing), (h.code, h.status, missing)
        assert h.five_complete == (not missing), h.code
        # Numbered by the year found, as registration numbers them.
        assert h.code.startswith(f"NT-{h.found_on.year}-"), h.code
        if h.status == Status.CLOSED:
            assert h.closed_at is not None
            # Accepted at the level the grade requires, with an opinion, as in its event.
            assert h.accepted_level == ("city" if h.is_major or not h.county_id else "county")
            assert h.acceptance_opinion == story[-1].note != ""
        else:
            assert (h.accepted_level, h.acceptance_opinion, h.closed_at) == ("", "", None)
    # Denormalised keys match the school.
    for h in Hazard.objects.select_related("school"):
        parent = h.school.parent
        assert h.county_id == (parent.pk if parent.kind == OrgUnit.Kind.COUNTY else None)
        assert h.city_id == tree.city.pk
    # Numbers continue after the demo's, per year.
    per_year = Counter(h.found_on.year for h in hazards)
    counters = dict(HazardCodeCounter.objects.filter(prefix="NT").values_list("year", "last"))
    assert counters == dict(per_year)
    # Some schools registered nothing (the zero-data list has entries).
    with_hazards = {h.school_id for h in hazards}
    assert OrgUnit.objects.filter(kind="school").exclude(pk__in=with_hazards).exists()
    # Of the newest 50 (the register's first page) the registered ones are few.
    newest = sorted(hazards, key=lambda h: (h.found_on, h.pk), reverse=True)[:50]
    assert sum(h.status == Status.REPORTED for h in newest) <= 10
    # Running again changes nothing.
    assert demo.seed_demo_hazards(city=tree.city, total=400, now=_now()) == 0
    assert Hazard.objects.count() == 400


def test_demo_register_is_dated_relative_to_today(many_schools, county_staff, city_staff):
    now = _now()
    today = now.date()
    demo.seed_demo_hazards(city=many_schools.city, total=400, now=now)
    hazards = list(Hazard.objects.all())
    # Found over the last ~120 days, up to today; nothing happened after "now".
    assert min(h.found_on for h in hazards) >= today - dt.timedelta(days=demo.DEMO_DAYS)
    assert max(h.found_on for h in hazards) <= today
    assert max(h.found_on for h in hazards) >= today - dt.timedelta(days=7)
    latest = HazardEvent.objects.order_by("-at").first().at
    assert timezone.localtime(latest).replace(tzinfo=None) <= now
    assert all(h.closed_at is None or h.closed_at <= latest for h in hazards)
    # A realistic minority of the open hazards is overdue; some are due within 3 days.
    open_ = [h for h in hazards if h.is_open]
    overdue = [h for h in open_ if h.is_overdue]
    due_soon = [
        h for h in open_ if today <= h.deadline <= today + dt.timedelta(days=demo.DUE_SOON_DAYS)
    ]
    assert open_
    assert 0.03 <= len(overdue) / len(open_) <= 0.15, (len(overdue), len(open_))
    assert due_soon
    assert all(h.deadline >= h.found_on for h in hazards)
    # Uploaded to the province with one of the last few monthly uploads.
    uploaded = [h.uploaded_month for h in hazards if h.uploaded_month]
    assert uploaded
    assert max(uploaded) <= today
    assert min(uploaded) >= (today - dt.timedelta(days=demo.DEMO_DAYS + 31)).replace(day=1)
    # Consultation meetings were held after the hazard was found, and not in the future.
    majors = [h for h in hazards if h.consultation_meeting_id]
    assert majors
    for h in majors:
        assert h.found_on <= h.consultation_meeting.held_on <= today
    assert any(h.consultation_required for h in hazards)


def test_demo_register_then_a_new_registration_continues_the_numbers(
    many_schools, school_officer, hazard_category
):
    demo.seed_demo_hazards(city=many_schools.city, total=50, now=_now())
    found_on = timezone.localdate()
    before = HazardCodeCounter.objects.get(prefix="NT", year=found_on.year).last
    assert 0 < before <= 50
    hazard = services.hazard_register(
        school=many_schools.tz_school,
        category=hazard_category,
        level=Hazard.Level.GENERAL,
        source=Hazard.Source.SELF_CHECK,
        location="门卫室",
        description="门卫未登记来访车辆",
        found_on=found_on,
        actor=school_officer,
    )
    assert hazard.code == f"NT-{found_on.year}-{before + 1:06d}"


def test_demo_numbers_never_reuse_a_given_number(many_schools, county_staff):
    """Numbers already handed out for a year (hazards since removed) are not given again."""
    year = timezone.localdate().year
    HazardCodeCounter.objects.create(prefix="NT", year=year, last=7)
    demo.seed_demo_hazards(city=many_schools.city, total=30, now=_now())
    codes = set(
        Hazard.objects.filter(code__startswith=f"NT-{year}-").values_list("code", flat=True)
    )
    assert codes
    assert not codes & {f"NT-{year}-{n:06d}" for n in range(1, 8)}
    assert HazardCodeCounter.objects.get(prefix="NT", year=year).last == 7 + len(codes)


@pytest.mark.django_db
def test_seed_scale_with_hazards():
    call_command(
        "seed_scale",
        "--prefix=TS",
        "--cities=2",
        "--counties=4",
        "--schools=60",
        "--users=70",
        "--hazards=2000",
        verbosity=0,
    )
    root = OrgUnit.objects.get(code="TS")
    qs = Hazard.objects.filter(city__path__startswith=root.path)
    assert qs.count() == 2000
    assert not qs.filter(five_complete=False).exclude(status=Status.REPORTED).exists()
    assert set(qs.values_list("status", flat=True)) == set(Status.values)
    for h in qs.select_related("school__parent")[:200]:
        parent = h.school.parent
        assert h.county_id == (parent.pk if parent.kind == OrgUnit.Kind.COUNTY else None)
        assert h.city_id == (parent.pk if parent.kind == OrgUnit.Kind.CITY else parent.parent_id)
    assert (
        sum(
            HazardCodeCounter.objects.filter(prefix__startswith="TS-").values_list(
                "last", flat=True
            )
        )
        == 2000
    )
    assert HazardCategory.objects.filter(pk__in=qs.values("category")).exists()
    # --reset removes the hazards too, then builds everything again.
    call_command(
        "seed_scale",
        "--prefix=TS",
        "--cities=2",
        "--counties=4",
        "--schools=60",
        "--users=70",
        "--hazards=100",
        "--reset",
        verbosity=0,
    )
    root = OrgUnit.objects.get(code="TS")
    assert Hazard.objects.filter(city__path__startswith=root.path).count() == 100
