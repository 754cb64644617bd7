"""Carried-over progress: a ledger's rectified or accepted hazard comes in in that state."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hazards.models import Hazard, HazardEvent, HazardTally
from hazards.services import hazard_tally_rebuild
from hazards.services.imports import (
    ACCEPTED,
    RECTIFIED,
    LedgerHistory,
    hazard_import_with_history,
)
from tests.hazards.conftest import five_implementations, seeded_category


@pytest.fixture
def category(db):
    return seeded_category()


def fields(category, **over):
    values = {
        "category": category,
        "level": Hazard.Level.GENERAL,
        "source": Hazard.Source.COUNTY_CHECK,
        "location": "实验楼二楼",
        "description": "灭火器过期",
        "found_on": dt.date(2025, 11, 3),
        **five_implementations(),
    }
    values.update(over)
    return values


def tally():
    return {(t.status, t.five_complete): t.count for t in HazardTally.objects.all() if t.count}


def test_rectified_lands_awaiting_acceptance_with_its_event(tree, county_staff, category):
    history = LedgerHistory(RECTIFIED, dt.date(2025, 12, 1), "张三", "已完成")
    hazard = hazard_import_with_history(
        school=tree.tz_school, actor=county_staff, history=history, **fields(category)
    )
    assert hazard.status == Hazard.Status.AWAITING_ACCEPTANCE and hazard.five_complete
    event = hazard.events.get()
    assert event.kind == HazardEvent.Kind.IMPORTED and event.actor == county_staff
    assert "2025年12月1日" in event.note and "张三" in event.note
    before = tally()
    hazard_tally_rebuild()
    assert tally() == before == {("awaiting_acceptance", True): 1}


def test_accepted_general_by_county_is_closed_with_an_imported_opinion(
    tree, county_staff, category
):
    history = LedgerHistory(ACCEPTED, dt.date(2025, 12, 5), "李四")
    hazard = hazard_import_with_history(
        school=tree.tz_school, actor=county_staff, history=history, **fields(category)
    )
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.CLOSED and hazard.accepted_level == "county"
    assert "台账导入" in hazard.acceptance_opinion and "李四" in hazard.acceptance_opinion
    assert hazard.closed_at.date() == dt.date(2025, 12, 5)


def test_a_major_hazard_is_closed_only_by_the_city(tree, county_staff, city_staff, category):
    history = LedgerHistory(ACCEPTED, dt.date(2025, 12, 5), "李四")
    major = fields(category, level=Hazard.Level.MAJOR)
    with pytest.raises(ValidationError) as refused:
        hazard_import_with_history(
            school=tree.tz_school, actor=county_staff, history=history, **major
        )
    assert refused.value.code == "level" and "市级" in refused.value.messages[0]
    assert Hazard.objects.count() == 0
    hazard = hazard_import_with_history(
        school=tree.tz_school, actor=city_staff, history=history, **major
    )
    assert hazard.accepted_level == "city"


def test_missing_five_is_refused_but_unit_source_and_secured_are_filled(
    tree, county_staff, category
):
    history = LedgerHistory(RECTIFIED, dt.date(2025, 12, 1))
    sparse = fields(category, responsible_unit="", funds_source="", funds_secured=None)
    hazard = hazard_import_with_history(
        school=tree.tz_school, actor=county_staff, history=history, **sparse
    )
    assert hazard.responsible_unit == tree.tz_school.name and hazard.funds_secured
    with pytest.raises(ValidationError) as refused:
        hazard_import_with_history(
            school=tree.tz_school, actor=county_staff, history=history,
            **fields(category, measures=""),
        )  # fmt: skip
    assert refused.value.code == "five_incomplete"
