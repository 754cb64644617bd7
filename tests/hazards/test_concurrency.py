"""Two people act on one hazard at the same moment: exactly one wins, the other is told.

Needs real row locks, so it runs on PostgreSQL only (CI does); SQLite serialises writers.
"""

import threading
from collections import Counter
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from campaign import access
from hazards import services
from hazards.models import Evidence, Hazard, HazardCategory, HazardEvent, HazardTally
from tests.hazards.conftest import png_upload

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (select_for_update) need PostgreSQL: set DATABASE_URL=postgres://…",
    ),
]


@pytest.fixture
def hazard_category(db):
    """A transactional test flushes the tables after each test, seeded categories included."""
    category, _created = HazardCategory.objects.get_or_create(
        code="fire-hydrant", defaults={"name": "消防栓无水", "days_general": 30, "days_major": 90}
    )
    return category


@pytest.fixture
def awaiting(make_planned_hazard, school_officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    hazard = make_planned_hazard()
    services.hazard_start_rectification(hazard=hazard, actor=school_officer)
    services.hazard_attach(
        hazard=hazard, actor=school_officer, kind=Evidence.Kind.AFTER, upload=png_upload()
    )
    return services.hazard_submit_for_acceptance(hazard=hazard, actor=school_officer)


def race(*calls):
    """Run the calls in threads that start together; [(result or None, exception or None)]."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = (call(), None)
        except Exception as exc:  # noqa: BLE001 - the test inspects whatever was raised
            outcomes[i] = (None, exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def _fresh(hazard):
    return Hazard.objects.get(pk=hazard.pk)


def _rectifying(make_planned_hazard, officer):
    hazard = services.hazard_start_rectification(hazard=make_planned_hazard(), actor=officer)
    services.hazard_attach(
        hazard=hazard, actor=officer, kind=Evidence.Kind.AFTER, upload=png_upload()
    )
    return hazard


PAIRS = 4  # submits and send-backs at once in one county, per round
ROUNDS = 3


def test_submits_and_send_backs_in_one_county_at_once_all_succeed(
    make_planned_hazard, school_officer, county_staff, settings, tmp_path
):
    """A submit moves a count from "rectifying" to "awaiting", a send-back the other way: both
    lock the county's two tally cells, in the same order, so they wait for each other instead
    of deadlocking (PostgreSQL would abort one, and the page would have been a 500)."""
    settings.MEDIA_ROOT = tmp_path
    for user in (school_officer, county_staff):
        access.granted_paths(user)
    for _round in range(ROUNDS):
        to_submit = [_rectifying(make_planned_hazard, school_officer) for _ in range(PAIRS)]
        to_send_back = [_rectifying(make_planned_hazard, school_officer) for _ in range(PAIRS)]
        for hazard in to_send_back:
            services.hazard_submit_for_acceptance(hazard=hazard, actor=school_officer)
        calls = []
        for a, b in zip(to_submit, to_send_back, strict=True):
            submit = services.hazard_submit_for_acceptance
            calls.append(partial(submit, hazard=_fresh(a), actor=school_officer))
            reject = services.hazard_reject
            calls.append(partial(reject, hazard=_fresh(b), actor=county_staff, note="照片不清楚"))
        outcomes = race(*calls)
        assert [exc for _result, exc in outcomes if exc is not None] == []
        for hazard in to_submit:
            assert _fresh(hazard).status == Hazard.Status.AWAITING_ACCEPTANCE
        for hazard in to_send_back:
            assert _fresh(hazard).status == Hazard.Status.RECTIFYING
    live = Counter(Hazard.objects.values_list("status", "five_complete"))
    tallied = Counter(
        {(t.status, t.five_complete): t.count for t in HazardTally.objects.all() if t.count}
    )
    assert tallied == live


@pytest.mark.parametrize("second", ["accept", "reject"])
def test_two_acceptors_at_once_exactly_one_wins(awaiting, county_staff, city_staff, second):
    for user in (county_staff, city_staff):  # read the grants before the race
        access.granted_paths(user)
    first_hazard, second_hazard = _fresh(awaiting), _fresh(awaiting)

    def second_call():
        if second == "accept":
            return services.hazard_accept(hazard=second_hazard, actor=city_staff, opinion="同意")
        return services.hazard_reject(hazard=second_hazard, actor=city_staff, note="照片不清楚")

    outcomes = race(
        lambda: services.hazard_accept(hazard=first_hazard, actor=county_staff, opinion="同意"),
        second_call,
    )

    errors = [exc for _result, exc in outcomes if exc is not None]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], services.HazardConflict), repr(errors[0])
    assert errors[0].code == "conflict"
    steps = HazardEvent.objects.filter(
        hazard=awaiting,
        kind=HazardEvent.Kind.TRANSITION,
        from_status=Hazard.Status.AWAITING_ACCEPTANCE,
    )
    assert steps.count() == 1
    assert _fresh(awaiting).status == steps.get().to_status


def test_the_race_needs_the_permission_check_too(awaiting, county_staff, leader):
    """A leader racing an acceptor is refused for lack of permission, not by the lock."""
    access.granted_paths(county_staff)
    access.granted_paths(leader)
    outcomes = race(
        lambda: services.hazard_accept(hazard=_fresh(awaiting), actor=county_staff, opinion="同意"),
        lambda: services.hazard_accept(hazard=_fresh(awaiting), actor=leader, opinion="同意"),
    )
    assert outcomes[0][1] is None
    assert isinstance(outcomes[1][1], PermissionDenied)
    assert _fresh(awaiting).status == Hazard.Status.CLOSED
