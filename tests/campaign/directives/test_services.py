"""The directive services: issue, pass on (cascade city → county → schools), confirm on time
and late, remind only those not confirmed, and the daily record of missed deadlines."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaign.directives import selectors, services
from campaign.models import AccountabilityEntry, Directive, DirectiveReceipt
from core.models import AuditEntry, Notification
from tests.campaign.directives.helpers import LATE, confirm, issue, media, pass_on  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
State = DirectiveReceipt.State


def _receipt(directive, unit):
    return DirectiveReceipt.objects.get(directive=directive, unit=unit)


def test_cascade_city_county_schools(tree, city_staff, county_staff, school_officer):
    directive = issue(tree.city, city_staff, services.receivers_for(tree.city, "counties"))
    assert set(directive.receipts.values_list("unit__code", flat=True)) == {"NT-TZ", "NT-RD"}
    tz_receipt = _receipt(directive, tree.tongzhou)
    child = pass_on(tz_receipt, county_staff)
    assert child.parent == directive and child.root == directive
    assert child.source_receipt == tz_receipt and child.issuer == tree.tongzhou
    assert set(child.receipts.values_list("unit__code", flat=True)) == {"NT-TZ-0001", "NT-TZ-0002"}
    assert child.title == directive.title and child.done_when == directive.done_when

    confirm(_receipt(child, tree.tz_school), school_officer)
    confirm(tz_receipt, county_staff)
    progress = selectors.progress(city_staff, directive)
    rows = {r.unit.code: r for r in progress["page"]}
    assert rows["NT-TZ"].state == State.ON_TIME
    assert rows["NT-TZ"].child == child
    assert rows["NT-TZ"].cascade == {"total": 2, "on_time": 1, "late": 0, "pending": 1}
    assert rows["NT-RD"].child is None and rows["NT-RD"].cascade is None
    assert progress["summary"] == {"total": 2, "on_time": 1, "late": 0, "pending": 1}
    assert progress["cascade_totals"] == {"total": 2, "on_time": 1, "late": 0, "pending": 1}
    # The county sees only its own row of the city's directive.
    county_rows = list(selectors.progress(county_staff, directive)["page"])
    assert [r.unit.code for r in county_rows] == ["NT-TZ"]


def test_passing_on_is_once_and_not_later_than_the_deadline(tree, city_staff, county_staff):
    directive = issue(tree.city, city_staff, [tree.tongzhou])
    receipt = _receipt(directive, tree.tongzhou)
    with pytest.raises(ValidationError):
        pass_on(receipt, county_staff, deadline=dt.date(2019, 12, 20))
    pass_on(receipt, county_staff)
    with pytest.raises(ValidationError):
        pass_on(receipt, county_staff)
    assert Directive.objects.filter(parent=directive).count() == 1


def test_only_the_county_itself_passes_on(tree, city_staff, other_county_staff):
    directive = issue(tree.city, city_staff, [tree.tongzhou])
    with pytest.raises(PermissionDenied):
        pass_on(_receipt(directive, tree.tongzhou), city_staff)
    with pytest.raises(PermissionDenied):
        pass_on(_receipt(directive, tree.tongzhou), other_county_staff)


def test_confirmed_on_time_and_late(tree, city_staff, county_staff, other_county_staff):
    directive = issue(tree.city, city_staff, [tree.tongzhou, tree.rudong])
    on_time = confirm(_receipt(directive, tree.tongzhou), county_staff)
    late = confirm(_receipt(directive, tree.rudong), other_county_staff, now=LATE)
    assert on_time.state == State.ON_TIME and late.state == State.LATE
    assert late.confirmed_by == other_county_staff and late.original_name == "纪要.png"
    assert AuditEntry.objects.filter(action="directive.confirm").count() == 2
    with pytest.raises(ValidationError):
        confirm(_receipt(directive, tree.tongzhou), county_staff)


def test_the_city_cannot_confirm_for_a_county(tree, city_staff):
    directive = issue(tree.city, city_staff, [tree.tongzhou])
    with pytest.raises(PermissionDenied):
        confirm(_receipt(directive, tree.tongzhou), city_staff)


def test_a_confirmation_needs_a_file_or_a_meeting_and_a_note(tree, city_staff, county_staff):
    receipt = _receipt(issue(tree.city, city_staff, [tree.tongzhou]), tree.tongzhou)
    with pytest.raises(ValidationError):
        services.receipt_confirm(
            receipt=receipt, done_on=dt.date(2019, 12, 16), note="已开会。", actor=county_staff
        )
    receipt.refresh_from_db()
    assert receipt.state == State.PENDING


def test_a_county_issues_only_below_itself(tree, county_staff):
    with pytest.raises(ValidationError):
        issue(tree.tongzhou, county_staff, [tree.rd_school])
    with pytest.raises(PermissionDenied):
        issue(tree.city, county_staff, [tree.tz_school])
    assert not Directive.objects.exists()


def test_reminders_go_only_to_those_not_confirmed(
    tree, city_staff, county_staff, other_county_staff, django_capture_on_commit_callbacks
):
    directive = issue(tree.city, city_staff, [tree.tongzhou, tree.rudong])
    confirm(_receipt(directive, tree.tongzhou), county_staff)
    Notification.objects.all().delete()
    with pytest.raises(PermissionDenied):
        services.directive_remind(directive=directive, actor=county_staff)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.directive_remind(directive=directive, actor=city_staff) == 1
    reminded = Notification.objects.filter(kind=services.NOTICE_REMINDER)
    assert list(reminded.values_list("recipient__username", flat=True)) == ["rudong"]
    assert _receipt(directive, tree.rudong).reminded_at is not None
    assert _receipt(directive, tree.tongzhou).reminded_at is None
    confirm(_receipt(directive, tree.rudong), other_county_staff)
    with pytest.raises(ValidationError):
        services.directive_remind(directive=directive, actor=city_staff)


def test_the_receivers_hear_of_a_new_directive(
    tree, city_staff, county_staff, school_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        issue(tree.city, city_staff, [tree.tongzhou])
    issued = Notification.objects.filter(kind=services.NOTICE_ISSUED)
    assert list(issued.values_list("recipient__username", flat=True)) == ["tongzhou"]


def test_missed_deadlines_are_put_on_record_once(
    tree, city_staff, county_staff, other_county_staff
):
    directive = issue(tree.city, city_staff, [tree.tongzhou, tree.rudong])
    confirm(_receipt(directive, tree.tongzhou), county_staff)
    assert services.directive_deadlines_record(today=dt.date(2019, 12, 17)) == 0
    assert services.directive_deadlines_record(today=dt.date(2019, 12, 18)) == 1
    assert services.directive_deadlines_record(today=dt.date(2019, 12, 19)) == 0
    entry = AccountabilityEntry.objects.get()
    rd_receipt = _receipt(directive, tree.rudong)
    assert entry.unit == tree.rudong and entry.source == rd_receipt
    assert entry.kind == AccountabilityEntry.Kind.DIRECTIVE_UNCONFIRMED
    assert entry.occurred_on == dt.date(2019, 12, 17)
    # Confirming late keeps the entry: the deadline was missed.
    confirm(rd_receipt, other_county_staff, now=LATE)
    assert AccountabilityEntry.objects.filter(pk=entry.pk).exists()
