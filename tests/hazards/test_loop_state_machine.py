"""The closed loop as a Hypothesis state machine: random actions by random people.

Every rule calls a service as one persona. A small model of the rules, written here from the
roles (not from ``hazards.policy``), predicts for each call whether it succeeds or why it is
refused: out of sight, not permitted, the wrong level, a missing reason, the state changed, no
evidence, the rectifier accepting their own work, the five emptied once planned. The service
must refuse exactly for that reason (its code, and for the level its message). After every step
the hazard is in a legal state, its events tell its story, its acceptance is recorded, and the
tally agrees with the register.
"""

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext
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

S = Hazard.Status
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

# --- The model of the rules (DESIGN §5, issue 6), for a hazard at 通州区实验小学 ------------
OUT_OF_SCOPE = {"other_county_staff"}
MANAGE = set(MANAGERS)  # keep the record and run the rectification
TAKE_PART = MANAGE | {"inspector"}  # may comment (register, manage or accept there)
ACCEPT_AT = {"county_staff": "county", "city_staff": "city"}  # the level each one accepts at


def refusal(exc):
    """Why a call was refused, as the model names it."""
    if isinstance(exc, OutOfScope):
        return "out_of_scope"
    if isinstance(exc, PermissionDenied):
        return "not_permitted"
    if hasattr(exc, "error_dict"):
        ((field, errors),) = exc.error_dict.items()
        return f"{field}:{errors[0].code}"
    return exc.code


def _who(persona, needed):
    if persona in OUT_OF_SCOPE:
        return "out_of_scope"
    if persona not in needed:
        return "not_permitted"
    return None


def _acceptor(persona, hazard):
    if (why := _who(persona, ACCEPT_AT)) is not None:
        return why
    if hazard.level == Hazard.Level.MAJOR and ACCEPT_AT[persona] != "city":
        return "level"
    return None


def _state(hazard, *allowed):
    return None if hazard.status in allowed else "conflict"


def predict(action, persona, hazard, **args):
    """None when the call should succeed, else the refusal it should get, in the services'
    order: who (scope, permission, level), what was given, the state, what the row lacks."""
    if action == "update_five":
        if (why := _who(persona, MANAGE)) or (
            why := _state(hazard, S.REPORTED, S.PLANNED, S.RECTIFYING)
        ):
            return why
        if not args["complete"] and hazard.measures and hazard.status != S.REPORTED:
            return "five_incomplete"
        return None
    if action == "start":
        return _who(persona, MANAGE) or _state(hazard, S.PLANNED)
    if action == "attach_after_photo":
        return _who(persona, MANAGE) or _state(hazard, *Hazard.OPEN_STATUSES)
    if action == "submit":
        if why := _who(persona, MANAGE) or _state(hazard, S.RECTIFYING):
            return why
        has_after = hazard.evidence.filter(kind=Evidence.Kind.AFTER).exists()
        return None if has_after else "evidence"
    if action == "accept":
        if why := _acceptor(persona, hazard) or _state(hazard, S.AWAITING_ACCEPTANCE):
            return why
        return "rectifier" if hazard.rectified_by_id == args["actor"].pk else None
    if action in ("reject", "reopen"):
        if why := _acceptor(persona, hazard):
            return why
        if not args["note"]:
            return "note:required"
        return _state(hazard, S.AWAITING_ACCEPTANCE if action == "reject" else S.CLOSED)
    if action == "comment":
        return _who(persona, TAKE_PART | set(ACCEPT_AT))
    if action == "set_deadline":
        return _who(persona, ACCEPT_AT) or _state(hazard, *Hazard.OPEN_STATUSES)
    raise AssertionError(action)


def level_message(hazard):
    if hazard.level == Hazard.Level.MAJOR:
        return gettext("A major hazard is accepted by the city.")
    return gettext("A hazard is accepted by the county or the city.")


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
    reached = set()  # (status, grade) seen by the invariant
    refused = set()  # the reasons the services gave

    class ClosedLoop(RuleBasedStateMachine):
        @initialize(level=st.sampled_from(LEVELS))
        def register(self, level):
            # A fresh hazard per example: the examples share one test transaction.
            self.hazard = make_hazard(level=level)
            self.accepted_by = None  # the persona whose acceptance closed it

        def _do(self, action, persona, call, **args):
            """Run one service call; check it succeeded or was refused exactly as the model
            predicts, and what it did to the event log."""
            actor = people[persona]
            before = Hazard.objects.get(pk=self.hazard.pk)
            predicted = predict(action, persona, before, actor=actor, **args)
            events_before = HazardEvent.objects.filter(hazard=before).count()
            last_id = HazardEvent.objects.filter(hazard=before).order_by("-id").values("id")[:1]
            last_id = last_id[0]["id"] if last_id else 0
            try:
                call(actor, before)
            except EXPECTED as exc:
                why = refusal(exc)
                assert why == predicted, (action, persona, before.status, why, exc)
                refused.add(why)
                if why == "level":
                    assert exc.messages == [level_message(before)]
                if why == "conflict":
                    assert before.code in exc.messages[0]
                    assert before.get_status_display() in exc.messages[0]
                after = Hazard.objects.get(pk=self.hazard.pk)
                assert after.status == before.status
                assert HazardEvent.objects.filter(hazard=after).count() == events_before
                return False
            assert predicted is None, (action, persona, before.status, "succeeded", predicted)
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
            if after.status == S.CLOSED and before.status != S.CLOSED:
                self.accepted_by = persona
            return True

        @rule(persona=st.sampled_from(PERSONAS), complete=st.booleans())
        def update_five(self, persona, complete):
            values = five_implementations() if complete else {"measures": ""}
            self._do(
                "update_five",
                persona,
                lambda a, h: services.hazard_update(hazard=h, actor=a, **values),
                complete=complete,
            )

        @rule(persona=st.sampled_from(PERSONAS))
        def start(self, persona):
            self._do(
                "start",
                persona,
                lambda a, h: services.hazard_start_rectification(hazard=h, actor=a),
            )

        @rule(persona=st.sampled_from(PERSONAS))
        def attach_after_photo(self, persona):
            self._do(
                "attach_after_photo",
                persona,
                lambda a, h: services.hazard_attach(
                    hazard=h, actor=a, kind=Evidence.Kind.AFTER, upload=png_upload("after.png")
                ),
            )

        @rule(persona=st.sampled_from(PERSONAS))
        def submit(self, persona):
            self._do(
                "submit",
                persona,
                lambda a, h: services.hazard_submit_for_acceptance(hazard=h, actor=a),
            )

        @rule(persona=st.sampled_from(PERSONAS))
        def accept(self, persona):
            self._do(
                "accept",
                persona,
                lambda a, h: services.hazard_accept(hazard=h, actor=a, opinion="复查合格"),
            )

        @rule(persona=st.sampled_from(PERSONAS), note=st.sampled_from(["", "照片不清楚"]))
        def reject(self, persona, note):
            self._do(
                "reject",
                persona,
                lambda a, h: services.hazard_reject(hazard=h, actor=a, note=note),
                note=note,
            )

        @rule(persona=st.sampled_from(PERSONAS), note=st.sampled_from(["", "复查发现仍存在"]))
        def reopen(self, persona, note):
            self._do(
                "reopen",
                persona,
                lambda a, h: services.hazard_reopen(hazard=h, actor=a, note=note),
                note=note,
            )

        @rule(persona=st.sampled_from(PERSONAS))
        def comment(self, persona):
            self._do(
                "comment",
                persona,
                lambda a, h: services.hazard_comment(hazard=h, actor=a, note="看过"),
            )

        @rule(persona=st.sampled_from(PERSONAS), days=st.integers(min_value=-5, max_value=60))
        def set_deadline(self, persona, days):
            deadline = timezone.localdate() + dt.timedelta(days=days)
            self._do(
                "set_deadline",
                persona,
                lambda a, h: services.hazard_set_deadline(hazard=h, actor=a, deadline=deadline),
            )

        @rule(
            pick=st.integers(min_value=0, max_value=9), accept=st.sampled_from([True, True, False])
        )
        def advance(self, pick, accept):
            """The natural next step, mostly by someone who may take it, so that runs get round
            the loop (random rules alone seldom reach acceptance). A major hazard's acceptor is
            the city, with now and then the county trying."""
            status, level = Hazard.objects.values_list("status", "level").get(pk=self.hazard.pk)
            if status in (Hazard.Status.AWAITING_ACCEPTANCE, Hazard.Status.CLOSED):
                persona = ACCEPTORS[pick % len(ACCEPTORS)]
                if level == Hazard.Level.MAJOR and pick % 3:
                    persona = "city_staff"
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
            # The status follows the data: registered exactly while the five are incomplete.
            assert (hazard.status == S.REPORTED) == (not hazard.five_complete)
            assert (hazard.status == S.REPORTED) == bool(
                services.five_implementations_missing(hazard)
            )
            if hazard.status == S.CLOSED:
                assert hazard.closed_at is not None
                assert hazard.accepted_by_id is not None
                assert hazard.accepted_by_id != hazard.rectified_by_id
                assert hazard.acceptance_opinion == "复查合格"
                # Accepted at the acceptor's level; every closed major hazard by the city.
                assert hazard.accepted_level == ACCEPT_AT[self.accepted_by]
                if hazard.is_major:
                    assert hazard.accepted_level == Hazard.AcceptanceLevel.CITY
            else:
                assert hazard.accepted_by_id is None and hazard.closed_at is None
                assert (hazard.accepted_level, hazard.acceptance_opinion) == ("", "")
            last = (
                HazardEvent.objects.filter(hazard=hazard, kind=HazardEvent.Kind.TRANSITION)
                .order_by("-id")
                .first()
            )
            assert hazard.status == (last.to_status if last else Hazard.Status.REPORTED)
            reached.add((hazard.status, hazard.level))

        @invariant()
        def tally_matches_the_register(self):
            # The services keep the tally in step with every change of status or of the five
            # implementations; the unfiltered register's counts are read from it.
            live = Counter(Hazard.objects.values_list("status", "five_complete"))
            tallied = Counter(
                {(t.status, t.five_complete): t.count for t in HazardTally.objects.all() if t.count}
            )
            assert tallied == live

    run_state_machine_as_test(
        ClosedLoop,
        settings=hypothesis_settings(
            # 40 examples reached every (status, grade) only just: after other tests in the same
            # process Hypothesis's generation took another path (same seed, same service
            # results up to there) and missed general hazards past 'planned'. 80 leaves room.
            max_examples=80,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,  # the same sequences in CI and locally
            database=None,  # no .hypothesis/ directory in the working tree
            suppress_health_check=list(HealthCheck),
        ),
    )
    # The run is derandomised, so this guards against rules that silently stopped working.
    assert reached == {(status, level) for status in S.values for level in LEVELS}, reached
    assert refused == {
        "out_of_scope",
        "not_permitted",
        "level",
        "note:required",
        "conflict",
        "evidence",
        "rectifier",
        "five_incomplete",
    }, refused


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
    hazard = services.hazard_accept(hazard=hazard, actor=county, opinion="复查合格")
    assert hazard.status == Hazard.Status.CLOSED
