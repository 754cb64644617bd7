"""One rule, three readers: who accepts which grade (county: general; city: major) answers
the same in the service, in the workbench's selector and on the hazard's page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import OutOfScope
from hazards import selectors, services
from hazards.models import Evidence, Hazard
from tests.hazards.conftest import png_upload

# persona: (accepts a general hazard, accepts a major one)
ACCEPTS = {
    "county_staff": (True, False),
    "city_staff": (True, True),
    "safety_office": (True, True),
    "city_admin": (True, True),
    "school_officer": (False, False),
    "inspector": (False, False),
    "leader": (False, False),
    "other_county_staff": (False, False),
}


@pytest.fixture
def awaiting(make_planned_hazard, school_officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def make(level):
        hazard = make_planned_hazard(level=level)
        services.hazard_start_rectification(hazard=hazard, actor=school_officer)
        services.hazard_attach(
            hazard=hazard, actor=school_officer, kind=Evidence.Kind.AFTER, upload=png_upload()
        )
        return services.hazard_submit_for_acceptance(hazard=hazard, actor=school_officer)

    return {level: make(level) for level in (Hazard.Level.GENERAL, Hazard.Level.MAJOR)}


def the_service_accepts(user, hazard):
    try:
        with transaction.atomic():
            services.hazard_accept(hazard=hazard, actor=user, opinion="整改到位")
            transaction.set_rollback(True)  # only the answer matters here
    except (ValidationError, PermissionDenied, OutOfScope):
        return False
    return True


def the_workbench_lists(user, hazard):
    actions = selectors.workbench_hazards(user, today=timezone.localdate(), rows=10)
    return bool(actions) and hazard.code in {h.code for h in actions.get("awaiting_rows", [])}


def the_page_offers(client, hazard):
    response = client.get(reverse("hazards:hazard_detail", args=[hazard.code]))
    return response.status_code == 200 and "accept" in response.context["actions"]


@pytest.mark.parametrize("persona", ACCEPTS)
def test_service_selector_and_page_agree_on_who_accepts(request, persona, awaiting, client_for):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    for hazard, expected in zip(awaiting.values(), ACCEPTS[persona], strict=True):
        answers = (
            the_service_accepts(user, hazard),
            the_workbench_lists(user, hazard),
            the_page_offers(client, hazard),
        )
        assert answers == (expected,) * 3, (persona, hazard.level, answers)
