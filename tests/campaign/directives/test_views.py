"""The directive pages as their users see them: issue, the lists, the progress table (its
query count pinned, the same for few and many receivers), confirm with a minutes file, pass
on, remind, the files; bad input refused with nothing changed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign.directives import services
from campaign.models import Directive, DirectiveReceipt, OrgUnit
from tests.campaign.directives.helpers import confirm, issue, media, pass_on, png  # noqa: F401
from tests.factories import SchoolFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
NEW = reverse("campaign:directive_new")
LIST = reverse("campaign:directive_list")


def _receipt(directive, unit):
    return DirectiveReceipt.objects.get(directive=directive, unit=unit)


def _form(**change):
    return {
        "issuer": "NT",
        "title": "关于召开专题研究会议的通知",
        "text": "请各县（市、区）于周一召开专题研究会议。",
        "done_when": "召开专题研究会议并上传会议纪要",
        "deadline": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        "receivers": "counties",
        **change,
    }


def test_the_city_issues_a_directive_to_every_county(tree, city_staff, client_for):
    client = client_for(city_staff)
    assert "交办事项" in client.get(NEW).content.decode()
    response = client.post(NEW, {**_form(), "files": [png("通知.png")]}, follow=True)
    directive = Directive.objects.get()
    assert response.redirect_chain[-1][0] == directive.get_absolute_url()
    page = response.content.decode()
    assert "已向 2 个单位交办" in page
    assert "通知.png" in page
    assert set(directive.receipts.values_list("unit__code", flat=True)) == {"NT-TZ", "NT-RD"}
    attachment = directive.attachments.get()
    download = client.get(
        reverse("campaign:directive_attachment", args=[directive.pk, attachment.pk])
    )
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_directive_to_chosen_units(tree, county_staff, client_for):
    client = client_for(county_staff)
    data = _form(issuer="NT-TZ", receivers="chosen", chosen=[str(tree.tz_school2.pk)])
    client.post(NEW, data)
    directive = Directive.objects.get()
    assert list(directive.receipts.values_list("unit__code", flat=True)) == ["NT-TZ-0002"]


def test_bad_input_changes_nothing(tree, city_staff, client_for):
    client = client_for(city_staff)
    cases = [
        _form(title=""),
        _form(deadline="2019-13-40"),
        _form(deadline=(timezone.localdate() - dt.timedelta(days=1)).isoformat()),
        _form(receivers="chosen"),
        _form(receivers="chosen", chosen=[str(tree.rd_school.pk)]),
        _form(receivers="nobody"),
        {**_form(), "files": [png("a.txt").__class__("a.txt", b"plain text")]},
    ]
    for data in cases:
        response = client.post(NEW, data)
        assert response.status_code == 400, data
    assert not Directive.objects.exists()


def test_an_officer_may_not_issue(tree, school_officer, client_for):
    assert client_for(school_officer).get(NEW).status_code == 403


def test_confirming_with_a_minutes_file(tree, city_staff, county_staff, client_for):
    directive = issue(tree.city, city_staff, [tree.tongzhou])
    receipt = _receipt(directive, tree.tongzhou)
    client = client_for(county_staff)
    url = reverse("campaign:directive_confirm", args=[receipt.pk])
    assert "上传会议纪要" in client.get(url).content.decode()
    response = client.post(
        url,
        {"done_on": timezone.localdate().isoformat(), "note": "已召开。", "file": png()},
        follow=True,
    )
    page = response.content.decode()
    assert "通州区 已确认交办事项" in page or "通州区已确认" in page, page[:2000]
    receipt.refresh_from_db()
    assert receipt.state == DirectiveReceipt.State.LATE  # the deadline (2019) has passed
    file_url = reverse("campaign:directive_receipt_file", args=[receipt.pk])
    assert client_for(city_staff).get(file_url).status_code == 200


def test_a_confirmation_without_file_or_meeting_is_refused(
    tree, city_staff, county_staff, client_for
):
    receipt = _receipt(issue(tree.city, city_staff, [tree.tongzhou]), tree.tongzhou)
    url = reverse("campaign:directive_confirm", args=[receipt.pk])
    response = client_for(county_staff).post(
        url, {"done_on": timezone.localdate().isoformat(), "note": "已召开。"}
    )
    assert response.status_code == 400
    assert "会议记录" in response.content.decode()
    receipt.refresh_from_db()
    assert receipt.state == DirectiveReceipt.State.PENDING


def test_the_county_passes_on_and_the_city_sees_the_cascade(
    tree, city_staff, county_staff, school_officer, client_for
):
    directive = issue(tree.city, city_staff, [tree.tongzhou, tree.rudong])
    receipt = _receipt(directive, tree.tongzhou)
    client = client_for(county_staff)
    url = reverse("campaign:directive_pass_on", args=[receipt.pk])
    response = client.post(
        url, {"deadline": directive.deadline.isoformat(), "receivers": "schools", "note": ""}
    )
    # The deadline of 2019 is in the past: refused, nothing passed on.
    assert response.status_code == 400
    Directive.objects.filter(pk=directive.pk).update(
        deadline=timezone.localdate() + dt.timedelta(days=5)
    )
    response = client.post(
        url,
        {
            "deadline": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
            "receivers": "schools",
            "note": "请各校落实。",
        },
    )
    child = Directive.objects.get(parent=directive)
    assert response.status_code == 302
    confirm(_receipt(child, tree.tz_school), school_officer, now=timezone.now())
    page = client_for(city_staff).get(directive.get_absolute_url()).content.decode()
    assert "已转发" in page and "2 个单位中 1 个已确认" in page


def test_remind_button_reminds_only_those_not_confirmed(tree, city_staff, county_staff, client_for):
    directive = issue(tree.city, city_staff, [tree.tongzhou, tree.rudong])
    confirm(_receipt(directive, tree.tongzhou), county_staff)
    client = client_for(city_staff)
    page = client.get(directive.get_absolute_url()).content.decode()
    assert "提醒 1 个尚未确认的单位" in page
    response = client.post(reverse("campaign:directive_remind", args=[directive.pk]), follow=True)
    assert "已提醒" in response.content.decode()
    assert _receipt(directive, tree.rudong).reminded_at is not None
    assert _receipt(directive, tree.tongzhou).reminded_at is None


def test_the_lists(tree, city_staff, county_staff, client_for):
    directive = issue(tree.city, city_staff, [tree.tongzhou, tree.rudong])
    issued = client_for(city_staff).get(LIST, {"box": "issued"}).content.decode()
    assert directive.title in issued and "2 个单位" in issued
    received = client_for(county_staff).get(LIST).content.decode()
    assert directive.title in received and "确认" in received
    assert directive.title not in client_for(city_staff).get(LIST).content.decode()


def _many_schools(county, n):
    for i in range(n):
        SchoolFactory(code=f"{county.code}-9{i:03d}", name=f"测试学校{i}", parent=county)


@pytest.mark.parametrize("schools", [0, 60])
def test_progress_page_query_count_is_pinned(
    tree, city_staff, county_staff, client_for, django_assert_num_queries, schools
):
    """The same number of queries for 3 receivers and for 63, one page of them passed on."""
    _many_schools(tree.tongzhou, schools)
    receivers = services.receivers_for(tree.city, "schools")
    directive = issue(tree.city, city_staff, [tree.tongzhou, tree.rudong, *receivers])
    child = pass_on(_receipt(directive, tree.tongzhou), county_staff)
    confirm(_receipt(child, tree.tz_school), _officer(tree.tz_school))
    client = client_for(city_staff)
    client.get(directive.get_absolute_url())
    with django_assert_num_queries(PROGRESS_QUERIES):
        response = client.get(directive.get_absolute_url(), {"state": "pending"})
    assert response.status_code == 200
    assert 'data-cascade="NT-TZ"' in response.content.decode()


# session, user, grants, directive, states, page, cascade per row, cascade totals,
# attachments; the session save.
PROGRESS_QUERIES = 12


def _officer(school):
    from campaign.roles import Role
    from tests.factories import UserFactory, grant

    return grant(UserFactory(), Role.SCHOOL_OFFICER, school)


def test_another_county_sees_nothing(tree, county_staff, other_county_staff, client_for):
    directive = issue(tree.tongzhou, county_staff, [tree.tz_school])
    client = client_for(other_county_staff)
    assert client.get(directive.get_absolute_url()).status_code == 404
    assert OrgUnit.objects.filter(code="NT-RD").exists()
