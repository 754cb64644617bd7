"""The demo's action plan: the city's version 1 issued, version 2 a draft with two counties'
comments, 通州区's plan issued under it; safe to run again."""

import pytest

from campaign.models import OrgUnit, PlanComment, PlanDocument
from campaign.plan import demo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_demo_seeds_the_citys_plan(tree, city_staff, county_staff, other_county_staff):
    assert demo.seed(tree.city)
    plan = PlanDocument.objects.get(issuer=tree.city)
    first, second = plan.versions.order_by("number")
    assert first.is_issued and first.doc_number == "通教安〔2019〕12号"
    assert first.issued_on.year == 2019 and first.issued_on.month == 11
    assert not second.is_issued and "平安日报" in second.text
    units = set(PlanComment.objects.filter(version=second).values_list("unit__code", flat=True))
    assert units == {"NT-TZ", "NT-RD"}
    own = PlanDocument.objects.get(issuer__kind=OrgUnit.Kind.COUNTY)
    assert own.parent == plan and own.versions.get().is_issued
    assert demo.seed(tree.city) == ""
    assert PlanDocument.objects.count() == 2
