"""The briefings' part of seed_demo: two published issues with PDFs, once."""

import pytest

from reporting.briefings import demo
from reporting.models import Briefing, ExperienceItem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_two_published_briefings_once(tree, city_staff, school_officer, county_staff):
    assert "第1期" in demo.demo(tree.city)
    issues = list(Briefing.objects.filter(city=tree.city).order_by("number"))
    assert [b.number for b in issues] == [1, 2]
    assert all(b.status == Briefing.Status.PUBLISHED and b.pdf for b in issues)
    assert issues[0].published_at < issues[1].published_at
    assert ExperienceItem.objects.filter(status=ExperienceItem.Status.CHOSEN).count() == 2
    assert demo.demo(tree.city) == ""
    assert Briefing.objects.count() == 2
