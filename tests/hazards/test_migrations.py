"""hazards.0005 makes existing rows follow the loop's rules before 0006 makes them constraints:
registered hazards whose five implementations are complete become planned (with an event and a
tally that agrees), closed ones get their acceptance level and opinion.

The rows are written as the old code could leave them: with 0006 unapplied, straight into the
table.
"""

from collections import Counter

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from hazards.models import Evidence, Hazard, HazardEvent, HazardTally
from tests.hazards.conftest import five_implementations

pytestmark = pytest.mark.django_db(transaction=True)

S = Hazard.Status
BEFORE = [("hazards", "0004_acceptance_record")]
AFTER = [("hazards", "0006_loop_constraints")]
NO_OPINION = "（该隐患验收时系统尚未要求填写验收意见。）"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def migrate_to_latest():
    """On to the newest migrations, so that today's models read the rows (later migrations
    add columns, e.g. 0008's submitted_at)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def closed_by(hazard, actor, note):
    """A hazard the old code closed: no level, no opinion; the note on the event."""
    Hazard.objects.filter(pk=hazard.pk).update(
        status=S.CLOSED, closed_at=timezone.now(), accepted_by=actor
    )
    HazardEvent.objects.create(
        hazard=hazard,
        kind=HazardEvent.Kind.TRANSITION,
        actor=actor,
        from_status=S.AWAITING_ACCEPTANCE,
        to_status=S.CLOSED,
        note=note,
    )


@pytest.fixture
def old_rows(make_hazard, county_staff, city_staff, settings, tmp_path, tree):
    settings.MEDIA_ROOT = tmp_path
    rows = {name: make_hazard() for name in ("complete", "flagged", "plan_file", "open")}
    rows |= {
        name: make_hazard(**five_implementations())
        for name in ("by_county", "by_city", "major_gone")
    }
    Hazard.objects.filter(pk=rows["major_gone"].pk).update(level=Hazard.Level.MAJOR)
    migrate(BEFORE)
    # Completed outside the services: the five are all there, the status stayed "registered".
    Hazard.objects.filter(pk=rows["complete"].pk).update(**five_implementations())
    # Flagged complete, but its measures are missing.
    Hazard.objects.filter(pk=rows["flagged"].pk).update(five_complete=True)
    # Complete with the plan as a file.
    Hazard.objects.filter(pk=rows["plan_file"].pk).update(
        **five_implementations(contingency_plan=""), five_complete=True
    )
    Evidence.objects.create(
        hazard=rows["plan_file"],
        kind=Evidence.Kind.PLAN,
        file="hazards/plan.pdf",
        original_name="plan.pdf",
        content_type="application/pdf",
        size=10,
    )
    closed_by(rows["by_county"], county_staff, "已复查，整改到位")
    closed_by(rows["by_city"], city_staff, "")
    closed_by(rows["major_gone"], None, "")  # the acceptor's account is gone
    HazardTally.objects.update(count=7)  # whatever the old code left, it is counted again
    yield rows
    migrate_to_latest()  # also when the test failed half-way


def test_the_migration_makes_the_rows_follow_the_rules(old_rows, county_staff, city_staff):
    migrate(AFTER)
    migrate_to_latest()
    fresh = {name: Hazard.objects.get(pk=h.pk) for name, h in old_rows.items()}

    for name in ("complete", "plan_file"):
        assert (fresh[name].status, fresh[name].five_complete) == (S.PLANNED, True), name
        step = fresh[name].events.filter(kind=HazardEvent.Kind.TRANSITION).get()
        assert (step.from_status, step.to_status, step.actor) == (S.REPORTED, S.PLANNED, None)
        assert "五落实" in step.note
    assert (fresh["flagged"].status, fresh["flagged"].five_complete) == (S.REPORTED, False)
    assert (fresh["open"].status, fresh["open"].five_complete) == (S.REPORTED, False)
    assert not fresh["open"].events.filter(kind=HazardEvent.Kind.TRANSITION).exists()

    by_county, by_city, gone = fresh["by_county"], fresh["by_city"], fresh["major_gone"]
    assert (by_county.accepted_level, by_county.acceptance_opinion) == (
        "county",
        "已复查，整改到位",
    )
    assert (by_city.accepted_level, by_city.acceptance_opinion) == ("city", NO_OPINION)
    assert (gone.accepted_level, gone.acceptance_opinion) == ("city", NO_OPINION)

    live = Counter(Hazard.objects.values_list("status", "five_complete"))
    tallied = Counter(
        {(t.status, t.five_complete): t.count for t in HazardTally.objects.all() if t.count}
    )
    assert tallied == live


def test_0008_takes_submitted_at_from_the_latest_submit(
    make_planned_hazard, school_officer, county_staff, settings, tmp_path
):
    from hazards import services
    from tests.hazards.conftest import png_upload

    settings.MEDIA_ROOT = tmp_path
    hazard = make_planned_hazard()
    never = make_planned_hazard()
    services.hazard_start_rectification(hazard=hazard, actor=school_officer)
    services.hazard_attach(
        hazard=hazard, actor=school_officer, kind=Evidence.Kind.AFTER, upload=png_upload()
    )
    services.hazard_submit_for_acceptance(hazard=hazard, actor=school_officer)
    services.hazard_reject(hazard=hazard, actor=county_staff, note="照片不清楚")
    services.hazard_submit_for_acceptance(hazard=hazard, actor=school_officer)
    latest = hazard.events.filter(to_status=S.AWAITING_ACCEPTANCE).latest("at", "id").at
    migrate([("hazards", "0007_repair_control_characters")])
    migrate_to_latest()
    assert Hazard.objects.get(pk=hazard.pk).submitted_at == latest
    assert Hazard.objects.get(pk=never.pk).submitted_at is None
