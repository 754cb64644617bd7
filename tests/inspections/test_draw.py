"""The sealed draw: reproducible from its recorded seed, weighted towards risk as configured
(a statistical test over fixed seeds, so never flaky), never outside the plan's scope, manual
changes recorded with who and why, tampering detected by the audit, weights validated."""

import datetime as dt
import math

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaign.models import OrgUnit
from core.errors import Conflict, NotPermitted, OutOfScope
from core.models import AuditEntry
from hazards import services as hazard_services
from inspections import services
from inspections.models import DEFAULT_WEIGHTS, Draw, InspectionPlan, Target
from tests.factories import CityFactory, CountyFactory, SchoolFactory
from tests.hazards.conftest import five_implementations, seeded_category

pytestmark = pytest.mark.django_db

SCHOOLS, ZERO_DATA, DRAW_SIZE, DRAWS = 40, 10, 5, 400


def make_plan(tree, checklist, actor, *, counties=(), draw_size=DRAW_SIZE, weights=None):
    today = timezone.localdate()
    return services.plan_create(
        city=tree.city,
        title="抽签测试督查",
        round="2019年第四季度",
        period_start=today,
        period_end=today + dt.timedelta(days=14),
        checklist=checklist,
        counties=counties,
        draw_size=draw_size,
        weights=weights,
        actor=actor,
    )


def register_hazard(school, actor):
    return hazard_services.hazard_register(
        school=school,
        category=seeded_category(),
        level="general",
        source="self_check",
        location="教学楼",
        description="消防栓无水",
        found_on=timezone.localdate(),
        actor=actor,
        **five_implementations(),
    )


@pytest.fixture
def haian(tree, city_staff):
    """A county of 40 schools; all but the first 10 registered a hazard this year, so exactly
    10 are on the zero-data list."""
    county = CountyFactory(name="海安市", code="NT-HA", parent=tree.city)
    schools = [
        SchoolFactory(name=f"海安市第{n}小学", code=f"NT-HA-{n:04d}", parent=county)
        for n in range(1, SCHOOLS + 1)
    ]
    for school in schools[ZERO_DATA:]:
        register_hazard(school, city_staff)
    county.schools = schools
    county.zero_data = {s.pk for s in schools[:ZERO_DATA]}
    return county


# --- Reproducible ---------------------------------------------------------------------------


def test_the_recorded_seed_gives_the_same_targets(tree, checklist, city_staff):
    plan = make_plan(tree, checklist, city_staff, draw_size=3)
    draw = services.draw_run(plan=plan, actor=city_staff, seed="fixed-seed-1")
    drawn = list(
        plan.targets.filter(origin=Target.Origin.DRAWN)
        .order_by("rank")
        .values_list("school_id", flat=True)
    )
    assert len(drawn) == 3 and [t.rank for t in plan.targets.order_by("rank")] == [1, 2, 3]
    assert draw.seed == "fixed-seed-1" and draw.size == 3
    assert draw.weights == plan.effective_weights()
    assert [c[0] for c in draw.candidates] == sorted(c[0] for c in draw.candidates)
    assert draw.candidates_digest == services.digest(draw.candidates)

    audit = services.draw_audit(plan)
    assert audit["ok"] and audit["digest_ok"] and audit["weights_ok"] and audit["same_targets"]
    assert audit["replayed"] == drawn
    assert services.sample(draw.candidates, draw.size, draw.seed) == drawn

    # Another plan of the same scope with the same seed draws the same schools, and the same
    # plan drawn again with the seed draws them again.
    other = make_plan(tree, checklist, city_staff, draw_size=3)
    services.draw_run(plan=other, actor=city_staff, seed="fixed-seed-1")
    assert list(other.targets.order_by("rank").values_list("school_id", flat=True)) == drawn
    services.draw_run(plan=plan, actor=city_staff, seed="fixed-seed-1")
    assert list(plan.targets.order_by("rank").values_list("school_id", flat=True)) == drawn
    assert Draw.objects.filter(plan=plan).count() == 1

    # Recorded in the audit log: seed and digest, so the draw can be checked later.
    entry = AuditEntry.objects.filter(action="inspection.draw").latest("pk")
    assert entry.detail["seed"] == "fixed-seed-1"
    assert entry.detail["digest"] == draw.candidates_digest


def test_a_draw_without_a_seed_records_a_random_one_that_replays(tree, checklist, city_staff):
    plan = make_plan(tree, checklist, city_staff, draw_size=2)
    first = services.draw_run(plan=plan, actor=city_staff)
    assert len(first.seed) == 32 and int(first.seed, 16) >= 0
    assert services.draw_audit(plan)["ok"]
    second = services.draw_run(plan=plan, actor=city_staff)
    assert second.seed != first.seed
    assert services.draw_audit(plan)["ok"]


def test_the_audit_still_holds_after_sealing(tree, checklist, city_staff, inspector):
    plan = make_plan(tree, checklist, city_staff, draw_size=2)
    services.draw_run(plan=plan, actor=city_staff, seed="seal-me")
    services.team_set(plan=plan, members=[inspector], leader=inspector, actor=city_staff)
    services.plan_seal(plan=plan, actor=city_staff)
    assert services.draw_audit(plan)["ok"]
    with pytest.raises(Conflict):
        services.draw_run(plan=plan, actor=city_staff, seed="again")


# --- Weighted as configured -----------------------------------------------------------------


def high_count_moments(n_high, n_low, w_high, w_low, k):
    """Mean and variance of how many of the ``n_high`` schools of weight ``w_high`` a draw of
    ``k`` without replacement picks, each pick proportional to the weights left (the
    distribution the Efraimidis–Spirakis keys give), computed exactly."""
    dist = {0: 1.0}  # highs taken so far -> probability
    for taken in range(k):
        nxt = {}
        for highs, p in dist.items():
            a, b = n_high - highs, n_low - (taken - highs)
            p_high = a * w_high / (a * w_high + b * w_low)
            nxt[highs + 1] = nxt.get(highs + 1, 0.0) + p * p_high
            nxt[highs] = nxt.get(highs, 0.0) + p * (1 - p_high)
        dist = nxt
    mean = sum(h * p for h, p in dist.items())
    return mean, sum((h - mean) ** 2 * p for h, p in dist.items())


def zero_data_picks(plan, actor, zero_data, *, prefix):
    """How often the zero-data schools were drawn over DRAWS draws with fixed seeds."""
    picks = 0
    for n in range(DRAWS):
        services.draw_run(plan=plan, actor=actor, seed=f"{prefix}-{n}")
        drawn = set(plan.targets.filter(removed=False).values_list("school_id", flat=True))
        assert len(drawn) == DRAW_SIZE
        picks += len(drawn & zero_data)
    return picks


def weights_in(plan, zero_data):
    """(zero-data weight, other weight) as the draw recorded them."""
    candidates = Draw.objects.get(plan=plan).candidates
    high = {w for pk, w, _f in candidates if pk in zero_data}
    low = {w for pk, w, _f in candidates if pk not in zero_data}
    assert len(high) == len(low) == 1, (high, low)
    return high.pop(), low.pop()


def test_the_weights_shift_the_selection_as_configured(tree, checklist, city_staff, haian):
    plan = make_plan(tree, checklist, city_staff, counties=[haian])
    services.draw_run(plan=plan, actor=city_staff, seed="probe")
    w_high, w_low = weights_in(plan, haian.zero_data)
    # base 1 + zero data 3 + never inspected 2, against base 1 + never inspected 2.
    assert (w_high, w_low) == (6.0, 3.0)

    n_low = SCHOOLS - ZERO_DATA
    # Without the zero-data weight every school is as likely (hypergeometric), with it the
    # zero-data schools are drawn about 1.9 times in 5 instead of 1.25.
    uniform_mean, uniform_var = high_count_moments(ZERO_DATA, n_low, 1, 1, DRAW_SIZE)
    assert uniform_mean == pytest.approx(DRAW_SIZE * ZERO_DATA / SCHOOLS)
    mean, var = high_count_moments(ZERO_DATA, n_low, w_high, w_low, DRAW_SIZE)
    expected, sd = DRAWS * mean, math.sqrt(DRAWS * var)
    uniform_expected, uniform_sd = DRAWS * uniform_mean, math.sqrt(DRAWS * uniform_var)
    # The two hypotheses are far apart compared with the spread of 400 draws.
    assert expected - uniform_expected > 10 * max(sd, uniform_sd)

    picks = zero_data_picks(plan, city_staff, haian.zero_data, prefix="weighted")
    assert abs(picks - expected) <= 4 * sd, (picks, expected, sd)
    assert picks >= uniform_expected + 6 * uniform_sd, (picks, uniform_expected, uniform_sd)

    # Weight 0 for the zero-data list: the selection is uniform again.
    services.plan_update(plan=plan, actor=city_staff, weights={"zero_data": 0})
    assert not Draw.objects.filter(plan=plan).exists()  # new weights drop the draw
    services.draw_run(plan=plan, actor=city_staff, seed="probe")
    assert weights_in(plan, haian.zero_data) == (3.0, 3.0)
    flat = zero_data_picks(plan, city_staff, haian.zero_data, prefix="flat")
    assert abs(flat - uniform_expected) <= 4 * uniform_sd, (flat, uniform_expected)
    assert picks - flat > 6 * math.hypot(sd, uniform_sd)


def test_risk_features_add_their_weights():
    none = {
        "zero_data": False,
        "overdue": 0,
        "major_open": 0,
        "last_score": 95.0,
        "days_since": 0,
    }
    w = DEFAULT_WEIGHTS
    assert services.weight_of(none, {}) == w["base"]
    assert services.weight_of({**none, "zero_data": True}, {}) == w["base"] + w["zero_data"]
    assert services.weight_of({**none, "overdue": 3}, {}) == w["base"] + w["overdue"]
    assert services.weight_of({**none, "major_open": 1}, {}) == w["base"] + w["major_open"]
    assert services.weight_of({**none, "last_score": 55.0}, {}) == w["base"] + w["bad_score"]
    assert services.weight_of({**none, "days_since": None}, {}) == w["base"] + w["not_inspected"]
    half = services.weight_of({**none, "days_since": 365 // 2}, {})
    assert half == pytest.approx(w["base"] + w["not_inspected"] * (182 / 365))
    assert services.weight_of({**none, "days_since": 900}, {}) == w["base"] + w["not_inspected"]
    # A plan's own weights replace the defaults; 0 ignores a feature.
    assert services.weight_of({**none, "zero_data": True}, {"zero_data": 0}) == w["base"]
    assert services.weight_of({**none, "zero_data": True}, {"zero_data": 7.5}) == 8.5


def test_features_come_from_the_register_and_the_last_visit(tree, checklist, city_staff, inspector):
    register_hazard(tree.tz_school2, city_staff)
    plan = make_plan(tree, checklist, city_staff, counties=[tree.tongzhou])
    features = dict(services.draw_candidates(plan))
    assert set(features) == {tree.tz_school.pk, tree.tz_school2.pk}
    assert features[tree.tz_school.pk]["zero_data"] is True
    assert features[tree.tz_school2.pk]["zero_data"] is False
    assert features[tree.tz_school.pk]["days_since"] is None
    # An overdue open hazard (the deadline passed) counts as overdue.
    hazard = register_hazard(tree.tz_school, city_staff)
    type(hazard).objects.filter(pk=hazard.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    features = dict(services.draw_candidates(plan))
    assert features[tree.tz_school.pk]["overdue"] == 1
    assert features[tree.tz_school.pk]["zero_data"] is False


# --- Scope ----------------------------------------------------------------------------------


def test_never_a_school_outside_the_plans_scope(tree, checklist, city_staff, haian):
    inside = set(
        OrgUnit.objects.filter(path__startswith=haian.path, kind="school").values_list(
            "pk", flat=True
        )
    )
    plan = make_plan(tree, checklist, city_staff, counties=[haian], draw_size=35)
    for n in range(30):
        draw = services.draw_run(plan=plan, actor=city_staff, seed=f"scope-{n}")
        assert {c[0] for c in draw.candidates} == inside
        drawn = set(plan.targets.values_list("school_id", flat=True))
        assert len(drawn) == 35 and drawn <= inside
    # More than the county has: every school of the county, and nothing else.
    services.plan_update(plan=plan, actor=city_staff, draw_size=60)
    services.draw_run(plan=plan, actor=city_staff, seed="all")
    assert set(plan.targets.values_list("school_id", flat=True)) == inside

    for outside in (tree.tz_school, tree.rd_school, tree.city_school):
        with pytest.raises(ValidationError):
            services.target_add(plan=plan, school=outside, reason="外县学校", actor=city_staff)
    with pytest.raises(ValidationError):  # a county is not a school
        services.target_add(plan=plan, school=tree.tongzhou, reason="县区", actor=city_staff)
    yangzhou = CityFactory(name="扬州市", code="YZ")
    other_county = CountyFactory(name="江都区", code="YZ-JD", parent=yangzhou)
    foreign = SchoolFactory(name="扬州市江都区某校", code="YZ-JD-0001", parent=other_county)
    with pytest.raises(ValidationError):
        services.target_add(plan=plan, school=foreign, reason="外市学校", actor=city_staff)
    # A county of another city cannot be the scope.
    with pytest.raises(ValidationError):
        services.plan_update(plan=plan, actor=city_staff, counties=[other_county])


def test_a_whole_city_plan_draws_from_every_county_and_the_city_schools(
    tree, checklist, city_staff
):
    plan = make_plan(tree, checklist, city_staff, draw_size=10)
    draw = services.draw_run(plan=plan, actor=city_staff, seed="city")
    schools = {tree.tz_school.pk, tree.tz_school2.pk, tree.rd_school.pk, tree.city_school.pk}
    assert {c[0] for c in draw.candidates} == schools
    assert set(plan.targets.values_list("school_id", flat=True)) == schools
    # An inactive school is never a candidate.
    OrgUnit.objects.filter(pk=tree.rd_school.pk).update(is_active=False)
    draw = services.draw_run(plan=plan, actor=city_staff, seed="city")
    assert tree.rd_school.pk not in {c[0] for c in draw.candidates}


# --- Manual changes -------------------------------------------------------------------------


def test_manual_additions_and_removals_are_recorded_with_who_and_why(
    tree, checklist, city_staff, safety_office, haian
):
    plan = make_plan(tree, checklist, city_staff, counties=[haian], draw_size=5)
    services.draw_run(plan=plan, actor=city_staff, seed="manual")
    drawn = list(plan.targets.order_by("rank"))
    undrawn = next(s for s in haian.schools if s.pk not in {t.school_id for t in drawn})

    with pytest.raises(ValidationError):
        services.target_add(plan=plan, school=undrawn, reason="  ", actor=city_staff)
    added = services.target_add(
        plan=plan, school=undrawn, reason="群众举报校门无人值守", actor=safety_office
    )
    assert added.origin == Target.Origin.ADDED and added.rank is None
    assert added.reason == "群众举报校门无人值守" and added.added_by == safety_office
    with pytest.raises(ValidationError):  # already a target
        services.target_add(plan=plan, school=undrawn, reason="再加一次", actor=city_staff)

    victim = drawn[0]
    with pytest.raises(ValidationError):
        services.target_remove(plan=plan, school=victim.school, reason="", actor=city_staff)
    services.target_remove(
        plan=plan, school=victim.school, reason="该校本月已接受省级督查", actor=safety_office
    )
    victim.refresh_from_db()
    assert victim.removed and victim.removed_reason == "该校本月已接受省级督查"
    assert victim.removed_by == safety_office and victim.removed_at is not None
    assert victim.origin == Target.Origin.DRAWN  # kept, marked, still shown as drawn
    with pytest.raises(ValidationError):
        services.target_remove(plan=plan, school=victim.school, reason="再删", actor=city_staff)

    # The audit log has both, with who and why; the draw itself is still intact.
    add_entry = AuditEntry.objects.get(action="inspection.target_add")
    assert add_entry.actor == safety_office and add_entry.detail["reason"] == added.reason
    assert add_entry.detail["school"] == undrawn.code
    remove_entry = AuditEntry.objects.get(action="inspection.target_remove")
    assert remove_entry.actor == safety_office
    assert remove_entry.detail["reason"] == "该校本月已接受省级督查"
    assert services.draw_audit(plan)["ok"]

    # A new draw keeps the hand-added school (out of the candidates) and replaces the drawn.
    draw = services.draw_run(plan=plan, actor=city_staff, seed="manual-2")
    assert undrawn.pk not in {c[0] for c in draw.candidates}
    assert plan.targets.get(school=undrawn).origin == Target.Origin.ADDED
    assert plan.targets.filter(origin=Target.Origin.DRAWN).count() == 5

    # Sealing freezes the list: no more additions or removals.
    services.team_set(plan=plan, members=[], leader=safety_office, actor=city_staff)
    services.plan_seal(plan=plan, actor=city_staff)
    spare = next(s for s in haian.schools if not plan.targets.filter(school=s).exists())
    with pytest.raises(Conflict):
        services.target_add(plan=plan, school=spare, reason="封存后", actor=city_staff)
    with pytest.raises(Conflict):
        services.target_remove(plan=plan, school=undrawn, reason="封存后", actor=city_staff)
    assert plan.visits.count() == 6


# --- Tampering ------------------------------------------------------------------------------


def test_tampering_with_the_stored_candidates_is_detected(tree, checklist, city_staff, haian):
    plan = make_plan(tree, checklist, city_staff, counties=[haian], draw_size=5)
    draw = services.draw_run(plan=plan, actor=city_staff, seed="tamper")
    original = draw.candidates
    assert services.draw_audit(plan)["ok"]

    # Someone lowers a school's weight in the stored list: the digest no longer matches.
    changed = [list(c) for c in original]
    changed[0][1] = 0.5
    Draw.objects.filter(pk=draw.pk).update(candidates=changed)
    audit = services.draw_audit(plan)
    assert not audit["digest_ok"] and not audit["ok"]

    # A school dropped from the list: digest mismatch too.
    Draw.objects.filter(pk=draw.pk).update(candidates=original[1:])
    assert not services.draw_audit(plan)["digest_ok"]

    # Changed features with a digest computed again: the weights no longer follow.
    changed = [list(c) for c in original]
    changed[0][2] = {**changed[0][2], "zero_data": not changed[0][2]["zero_data"]}
    Draw.objects.filter(pk=draw.pk).update(
        candidates=changed, candidates_digest=services.digest(changed)
    )
    audit = services.draw_audit(plan)
    assert audit["digest_ok"] and not audit["weights_ok"] and not audit["ok"]

    # Back as it was: all good again; then a drawn target swapped for another school.
    Draw.objects.filter(pk=draw.pk).update(
        candidates=original, candidates_digest=services.digest(original)
    )
    assert services.draw_audit(plan)["ok"]
    target = plan.targets.order_by("rank").first()
    spare = next(s for s in haian.schools if not plan.targets.filter(school=s).exists())
    Target.objects.filter(pk=target.pk).update(school=spare)
    audit = services.draw_audit(plan)
    assert audit["digest_ok"] and not audit["same_targets"] and not audit["ok"]

    # A different seed written into the record: the replay differs.
    Target.objects.filter(pk=target.pk).update(school=target.school)
    assert services.draw_audit(plan)["ok"]
    Draw.objects.filter(pk=draw.pk).update(seed="another")
    assert not services.draw_audit(plan)["same_targets"]


def test_no_draw_no_audit(draft_plan):
    assert services.draw_audit(draft_plan) is None


# --- Weights --------------------------------------------------------------------------------


def test_weights_are_editable_and_validated(
    tree, checklist, city_staff, county_staff, inspector, haian
):
    plan = make_plan(
        tree, checklist, city_staff, counties=[haian], weights={"zero_data": 5, "overdue": "4"}
    )
    assert plan.weights == {"zero_data": 5.0, "overdue": 4.0}
    assert plan.effective_weights() == {**DEFAULT_WEIGHTS, "zero_data": 5.0, "overdue": 4.0}
    draw = services.draw_run(plan=plan, actor=city_staff, seed="w")
    assert draw.weights["zero_data"] == 5.0
    assert weights_in(plan, haian.zero_data) == (8.0, 3.0)

    for bad in (
        {"unknown": 1},
        {"zero_data": -1},
        {"zero_data": 101},
        {"zero_data": "many"},
        {"zero_data": None},
        {"base": 0},
    ):
        with pytest.raises(ValidationError):
            services.plan_update(plan=plan, actor=city_staff, weights=bad)
        with pytest.raises(ValidationError):
            make_plan(tree, checklist, city_staff, weights=bad)
    plan.refresh_from_db()
    assert plan.weights == {"zero_data": 5.0, "overdue": 4.0}
    assert Draw.objects.filter(plan=plan).exists()  # a refused change keeps the draw

    # The same weights again keep the draw; new ones drop it (draw again).
    services.plan_update(plan=plan, actor=city_staff, weights={"zero_data": 5, "overdue": 4})
    assert Draw.objects.filter(plan=plan).exists()
    services.plan_update(plan=plan, actor=city_staff, weights={"zero_data": 1.5})
    plan.refresh_from_db()
    assert plan.weights == {"zero_data": 1.5}
    assert not Draw.objects.filter(plan=plan).exists()
    assert not plan.targets.filter(origin=Target.Origin.DRAWN).exists()

    # Only the city's managers change them, and only before sealing.
    with pytest.raises((OutOfScope, NotPermitted)):
        services.plan_update(plan=plan, actor=county_staff, weights={"zero_data": 2})
    services.draw_run(plan=plan, actor=city_staff, seed="w")
    services.team_set(plan=plan, members=[inspector], leader=inspector, actor=city_staff)
    services.plan_seal(plan=plan, actor=city_staff)
    with pytest.raises(Conflict):
        services.plan_update(plan=plan, actor=city_staff, weights={"zero_data": 2})
    assert InspectionPlan.objects.get(pk=plan.pk).weights == {"zero_data": 1.5}
