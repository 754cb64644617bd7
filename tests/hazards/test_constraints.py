"""The closed loop's invariants live in the database too: a bug or a bulk load that bypasses
the services cannot write a status that contradicts the data."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from hazards.models import Hazard
from tests.hazards.conftest import five_implementations

S = Hazard.Status
ACCEPTED = {
    "status": S.CLOSED,
    "five_complete": True,
    "closed_at": timezone.now(),
    "accepted_level": Hazard.AcceptanceLevel.COUNTY,
    "acceptance_opinion": "经复查整改到位，同意销号",
}


def refused(hazard, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Hazard.objects.filter(pk=hazard.pk).update(**fields)
    return True


def test_registered_means_the_five_are_incomplete(make_hazard, make_planned_hazard):
    assert refused(make_hazard(), five_complete=True)
    assert refused(make_planned_hazard(), status=S.REPORTED)  # complete: it cannot go back
    assert refused(make_hazard(), status=S.PLANNED)  # nor can an incomplete one be planned


def test_a_closed_hazard_carries_its_acceptance(make_planned_hazard):
    hazard = make_planned_hazard()
    for missing in ("accepted_level", "acceptance_opinion"):
        assert refused(hazard, **{**ACCEPTED, missing: ""})
    Hazard.objects.filter(pk=hazard.pk).update(**ACCEPTED)
    assert Hazard.objects.get(pk=hazard.pk).status == S.CLOSED


def test_an_open_hazard_carries_no_acceptance(make_planned_hazard):
    hazard = make_planned_hazard()
    for name in ("accepted_level", "acceptance_opinion", "closed_at"):
        assert refused(hazard, **{name: ACCEPTED[name]})


def test_a_closed_major_hazard_was_accepted_by_the_city(make_hazard):
    hazard = make_hazard(level=Hazard.Level.MAJOR, **five_implementations())
    assert refused(hazard, **ACCEPTED)
    Hazard.objects.filter(pk=hazard.pk).update(
        **{**ACCEPTED, "accepted_level": Hazard.AcceptanceLevel.CITY}
    )
