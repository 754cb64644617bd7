"""The demo's incidents: an off-campus drowning reported late at both levels, and more;
safe to run again."""

import pytest

from campaign.incidents import demo
from campaign.models import Incident

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_late_off_campus_drowning(tree, county_staff, other_county_staff):
    line = demo.seed(tree.city)
    assert "3" in line
    drowning = Incident.objects.get(category=Incident.Category.DROWNING)
    assert not drowning.on_campus and drowning.deaths == 1
    assert drowning.late_to_county and drowning.late_to_city
    assert drowning.follow_ups.count() == 1
    assert Incident.objects.filter(status=Incident.Status.CLOSED).count() == 1
    assert demo.seed(tree.city) == ""
    assert Incident.objects.count() == 3
