"""The per-county tally: each change counts once, with its net effect, and locks the tally's
cells in one fixed order whatever the direction of the move (no deadlock between a submit and
a send-back in the same county; tests/hazards/test_concurrency.py runs them at once)."""

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hazards import services
from hazards.models import Evidence, Hazard, HazardTally
from tests.hazards.conftest import five_implementations, png_upload

S = Hazard.Status
CELL = re.compile(r'"count" ([+-]) 1.*"status" = \'(\w+)\'', re.S)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def tally_moves(call):
    """Run ``call``; the tally cells its statements changed, in order: [(status, "+"/"-")]."""
    with CaptureQueriesContext(connection) as ctx:
        call()
    moves = []
    for query in ctx.captured_queries:
        sql = query["sql"]
        if sql.startswith("UPDATE") and "hazards_hazardtally" in sql:
            sign, status = CELL.search(sql).groups()
            moves.append((status, sign))
    return moves


def rectifying_with_evidence(make_planned_hazard, officer):
    hazard = services.hazard_start_rectification(hazard=make_planned_hazard(), actor=officer)
    services.hazard_attach(
        hazard=hazard, actor=officer, kind=Evidence.Kind.AFTER, upload=png_upload()
    )
    return hazard


def test_submit_and_send_back_lock_the_cells_in_the_same_order(
    make_planned_hazard, school_officer, county_staff
):
    to_submit = rectifying_with_evidence(make_planned_hazard, school_officer)
    to_send_back = rectifying_with_evidence(make_planned_hazard, school_officer)
    services.hazard_submit_for_acceptance(hazard=to_send_back, actor=school_officer)

    submit = tally_moves(
        lambda: services.hazard_submit_for_acceptance(hazard=to_submit, actor=school_officer)
    )
    send_back = tally_moves(
        lambda: services.hazard_reject(hazard=to_send_back, actor=county_staff, note="照片不清楚")
    )

    assert submit == [("awaiting_acceptance", "+"), ("rectifying", "-")]
    assert send_back == [("awaiting_acceptance", "-"), ("rectifying", "+")]
    assert [cell for cell, _sign in submit] == [cell for cell, _sign in send_back]


def test_registering_a_complete_hazard_counts_it_once_as_planned(make_planned_hazard):
    make_planned_hazard()  # the county's planned cell exists
    assert tally_moves(make_planned_hazard) == [("planned", "+")]


def test_completing_the_five_moves_the_count_once(make_hazard, school_officer):
    make_hazard(**five_implementations())
    hazard = make_hazard()
    moves = tally_moves(
        lambda: services.hazard_update(
            hazard=hazard, actor=school_officer, **five_implementations()
        )
    )
    assert moves == [("planned", "+"), ("reported", "-")]


def test_the_tally_matches_the_register_after_the_loop(
    make_planned_hazard, make_hazard, school_officer, county_staff
):
    make_hazard()
    hazard = rectifying_with_evidence(make_planned_hazard, school_officer)
    services.hazard_submit_for_acceptance(hazard=hazard, actor=school_officer)
    services.hazard_accept(hazard=hazard, actor=county_staff, opinion="整改到位")
    services.hazard_reopen(hazard=hazard, actor=county_staff, note="复查仍存在")
    live = Counter(Hazard.objects.values_list("status", "five_complete"))
    tallied = Counter(
        {(t.status, t.five_complete): t.count for t in HazardTally.objects.all() if t.count}
    )
    assert tallied == live == Counter({(S.REPORTED, False): 1, (S.RECTIFYING, True): 1})
