"""The closed loop as a Hypothesis state machine: random actions by random people.

Every rule calls a service as one persona; the call either succeeds or refuses with one of the
expected errors. After every step the hazard is in a legal state and its events tell its story.
"""

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from campaign.roles import Role
from core.errors import OutOfScope
from hazards import services
from hazards.models import Evidence, Hazard, HazardEvent, HazardTally
from tests.factories import UserFactory, grant
from tests.hazards.conftest import five_implementations, png_upload

EXPECTED = (ValidationError, PermissionDenied, OutOfScope)  # HazardConflict is a ValidationError
PERSONAS = (
    "school_officer",
    "officer2",
    "county_staff",
    "city_staff",
    "inspector",
    "leader",
    "other_county_staff",
)
MANAGERS = ("school_officer", "officer2", "county_staff", "city_staff")
ACCEPTORS = ("county_staff", "city_staff")
LEVELS = (Hazard.Level.GENERAL, Hazard.Level.MAJOR)


@pytest.fixture
def people(tree, school_officer, county_staff, city_staff, inspector, leader, other_county_staff):
    officer2 = grant(UserFactory(username="officer2"), Role.SCHOOL_OFFICER, tree.tz_school)
    return {
        "school_officer": school_officer,
        "officer2": officer2,
        "county_staff": county_staff,
        "city_staff": city_staff,
        "inspector": inspector,
        "leader": leader,
        "other_county_staff": other_county_staff,
    }


def test_closed_loop_state_machine(people, make_hazard, settings_media):
    reached = set()  # statuses seen by the invariant

    class ClosedLoop(RuleBasedStateMachine):
        @initialize(level=st.sampled_from(LEVELS))
        def register(self, level):
            # A fresh hazard per example: the examples share one test transaction.
            self.hazard = make_hazard(level=level)
            self.out_of_scope_successes = []
            self.last_error = None

        def _do(self, persona, call):
            """Run one service call and check what it did to the event log."""
            actor = people[persona]
            before = Hazard.objects.get(pk=self.hazard.pk)
            events_before = HazardEvent.objects.filter(hazard=before).count()
            last_id = HazardEvent.objects.filter(hazard=before).order_by("-id").values("id")[:1]
            last_id = last_id[0]["id"] if last_id else 0
            try:
                call(actor, before)
            except EXPECTED as exc:
                self.last_error = exc
                after = Hazard.objects.get(pk=self.hazard.pk)
                assert after.status == before.status
                assert HazardEvent.objects.filter(hazard=after).count() == events_before
                return False
            if persona == "other_county_staff":
                self.out_of_scope_successes.append(call)
            after = Hazard.objects.get(pk=self.hazard.pk)
            new = list(
                HazardEvent.objects.filter(
                    hazard=after, kind=HazardEvent.Kind.TRANSITION, id__gt=last_id
                )
            )
            if after.status == before.status:
                assert new == []
            else:
                assert len(new) == 1, new
                assert (new[0].from_status, new[0].to_status) == (before.status, after.status)
                assert new[0].actor_id == actor.pk
            return True

        @rule(persona=st.sampled_from(PERSONAS), complete=st.booleans())
        def update_five(self, persona, complete):
            values = five_implementations() if complete else {"measures": ""}
            self._do(persona, lambda a, h: services.hazard_update(hazard=h, actor=a, **values))

        @rule(persona=st.sampled_from(PERSONAS))
        def start(self, persona):
            self._do(persona, lambda a, h: services.hazard_start_rectification(hazard=h, actor=a))

        @rule(persona=st.sampled_from(PERSONAS))
        def attach_after_photo(self, persona):
            self._do(
                persona,
                lambda a, h: services.hazard_attach(
                    hazard=h, actor=a, kind=Evidence.Kind.AFTER, upload=png_upload("after.png")
                ),
            )

        @rule(persona=st.sampled_from(PERSONAS))
        def submit(self, persona):
            self._do(persona, lambda a, h: services.hazard_submit_for_acceptance(hazard=h, actor=a))

        @rule(persona=st.sampled_from(PERSONAS))
        def accept(self, persona):
            self._do(persona, lambda a, h: services.hazard_accept(hazard=h, actor=a, note="ok"))

        @rule(persona=st.sampled_from(PERSONAS), note=st.sampled_from(["", "照片不清楚"]))
        def reject(self, persona, note):
            self._do(persona, lambda a, h: services.hazard_reject(hazard=h, actor=a, note=note))

        @rule(persona=st.sampled_from(PERSONAS), note=st.sampled_from(["", "复查发现仍存在"]))
        def reopen(self, persona, note):
            self._do(persona, lambda a, h: services.hazard_reopen(hazard=h, actor=a, note=note))

        @rule(persona=st.sampled_from(PERSONAS))
        def comment(self, persona):
            self._do(persona, lambda a, h: services.hazard_comment(hazard=h, actor=a, note="看过"))

        @rule(persona=st.sampled_from(PERSONAS), days=st.integers(min_value=-5, max_value=60))
        def set_deadline(self, persona, days):
            deadline = timezone.localdate() + dt.timedelta(days=days)
            self._do(
                persona,
                lambda a, h: services.hazard_set_deadline(hazard=h, actor=a, deadline=deadline),
            )

        @rule(
            pick=st.integers(min_value=0, max_value=9), accept=st.sampled_from([True, True, False])
        )
        def advance(self, pick, accept):
            """The natural next step by someone who may take it, so that runs get round the loop
            (random rules alone seldom reach acceptance)."""
            status = Hazard.objects.values_list("status", flat=True).get(pk=self.hazard.pk)
            if status in (Hazard.Status.AWAITING_ACCEPTANCE, Hazard.Status.CLOSED):
                persona = ACCEPTORS[pick % len(ACCEPTORS)]
            else:
                persona = MANAGERS[pick % len(MANAGERS)]
            if status == Hazard.Status.REPORTED:
                self.update_five(persona, complete=True)
            elif status == Hazard.Status.PLANNED:
                self.start(persona)
            elif status == Hazard.Status.RECTIFYING:
                if Evidence.objects.filter(hazard=self.hazard, kind=Evidence.Kind.AFTER).exists():
                    self.submit(persona)
                else:
                    self.attach_after_photo(persona)
            elif status == Hazard.Status.AWAITING_ACCEPTANCE:
                if accept:
                    self.accept(persona)
                else:
                    self.reject(persona, note="照片不清楚")
            else:
                self.reopen(persona, note="复查发现仍存在")

        @invariant()
        def legal_state(self):
            hazard = Hazard.objects.get(pk=self.hazard.pk)
            assert hazard.status in Hazard.Status.values
            if hazard.status != Hazard.Status.REPORTED:
                assert hazard.five_complete
            if hazard.status == Hazard.Status.CLOSED:
                assert hazard.closed_at is not None
                assert hazard.accepted_by_id is not None
                assert hazard.accepted_by_id != hazard.rectified_by_id
            last = (
                HazardEvent.objects.filter(hazard=hazard, kind=HazardEvent.Kind.TRANSITION)
                .order_by("-id")
                .first()
            )
            assert hazard.status == (last.to_status if last else Hazard.Status.REPORTED)
            reached.add(hazard.status)

        @invariant()
        def tally_matches_the_register(self):
            # The services keep the tally in step with every change of status or of the five
            # implementations; the unfiltered register's counts are read from it.
            live = Counter(Hazard.objects.values_list("status", "five_complete"))
            tallied = Counter(
                {(t.status, t.five_complete): t.count for t in HazardTally.objects.all() if t.count}
            )
            assert tallied == live

        @invariant()
        def out_of_scope_never_succeeds(self):
            assert self.out_of_scope_successes == []

    run_state_machine_as_test(
        ClosedLoop,
        settings=hypothesis_settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,  # the same sequences in CI and locally
            database=None,  # no .hypothesis/ directory in the working tree
            suppress_health_check=list(HealthCheck),
        ),
    )
    # The run is derandomised, so this guards against rules that silently stopped working.
    assert reached == set(Hazard.Status.values), reached


@pytest.fixture
def settings_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return settings


def test_the_machine_can_reach_closed(people, make_hazard, settings_media):
    """A sanity check that the rules above are not all refused: one full pass succeeds."""
    officer, county = people["school_officer"], people["county_staff"]
    hazard = make_hazard(**five_implementations())
    hazard = services.hazard_start_rectification(hazard=hazard, actor=officer)
    services.hazard_attach(
        hazard=hazard, actor=officer, kind=Evidence.Kind.AFTER, upload=png_upload()
    )
    hazard = services.hazard_submit_for_acceptance(hazard=hazard, actor=officer)
    hazard = services.hazard_accept(hazard=hazard, actor=county, note="")
    assert hazard.status == Hazard.Status.CLOSED
