"""The demo's directive: the Monday study meeting, passed on to every school; most confirmed,
some late, some not yet; the missed deadlines on record. Safe to run again."""

import pytest

from campaign.directives import demo
from campaign.models import AccountabilityEntry, Directive, DirectiveReceipt

pytestmark = pytest.mark.django_db
State = DirectiveReceipt.State


def test_the_demo_has_the_monday_study_directive(tree, county_staff, other_county_staff):
    line = demo.seed(tree.city)
    assert "Monday-study" in line
    directive = Directive.objects.get(issuer=tree.city)
    assert directive.deadline.isoformat() == "2019-12-17"
    assert "专题研究" in directive.done_when
    receipts = {r.unit.code: r for r in directive.receipts.select_related("unit")}
    assert set(receipts) == {"NT-TZ", "NT-RD", "NT-0001"}
    assert receipts["NT-TZ"].state == State.PENDING  # for the demo tongzhou to confirm
    assert receipts["NT-RD"].state == State.ON_TIME and receipts["NT-RD"].meeting
    children = Directive.objects.filter(parent=directive)
    assert set(children.values_list("issuer__code", flat=True)) == {"NT-TZ", "NT-RD"}
    # The missed deadline of 通州区 is on record, and its county's schools' as well.
    on_record = set(AccountabilityEntry.objects.values_list("unit__code", flat=True))
    assert "NT-TZ" in on_record and "NT-RD" not in on_record
    assert demo.seed(tree.city) == ""
    assert Directive.objects.filter(issuer=tree.city).count() == 1
