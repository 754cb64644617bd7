"""The notification list: only my own, newest first, unread highlighted, mark one or all read."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from core.views import PAGE_SIZE

LIST = reverse("core:notification_list")
READ = reverse("core:notification_read")


def note(user, text, *, link="", minutes_ago=0, read=False):
    created = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return Notification.objects.create(
        recipient=user,
        kind="hazard.overdue",
        text=text,
        link=link,
        created_at=created,
        read_at=created if read else None,
    )


@pytest.fixture
def mine(county_staff, city_staff):
    note(city_staff, "市级的通知")
    return [
        note(county_staff, "较早的通知", minutes_ago=60, read=True),
        note(county_staff, "最新的通知", link="/hazards/NT-2019-000001/", minutes_ago=1),
    ]


def test_shows_only_my_notifications_newest_first(client_for, county_staff, mine):
    response = client_for(county_staff).get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "市级的通知" not in page
    assert page.index("最新的通知") < page.index("较早的通知")
    assert [n.pk for n in response.context["page"].object_list] == [mine[1].pk, mine[0].pk]
    assert response.context["unread"] == 1


def test_unread_ones_are_highlighted(client_for, county_staff, mine):
    page = client_for(county_staff).get(LIST).content.decode()
    assert page.count("notification-unread") == 1
    unread_item = page[page.index("notification-unread") :]
    assert unread_item.index("最新的通知") < unread_item.index("</li>")


def test_opening_one_marks_it_read_and_follows_its_link(client_for, county_staff, mine):
    response = client_for(county_staff).post(READ, {"id": mine[1].pk})
    assert response.status_code == 302
    assert response["Location"] == "/hazards/NT-2019-000001/"
    mine[1].refresh_from_db()
    assert mine[1].read_at is not None


def test_another_persons_notification_is_404(client_for, county_staff, city_staff, mine):
    theirs = Notification.objects.get(recipient=city_staff)
    response = client_for(county_staff).post(READ, {"id": theirs.pk})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_missing_or_bad_id_changes_nothing(client_for, county_staff, mine):
    client = client_for(county_staff)
    assert client.post(READ, {"id": 999999}).status_code == 404
    response = client.post(READ, {"id": "x\x00"}, follow=True)
    assert response.status_code == 200
    assert Notification.objects.filter(read_at__isnull=True).count() == 2


def test_mark_all_read_touches_only_mine(client_for, county_staff, city_staff, mine):
    response = client_for(county_staff).post(READ, {"all": "1"}, follow=True)
    assert response.status_code == 200
    assert not Notification.objects.filter(recipient=county_staff, read_at__isnull=True).exists()
    assert Notification.objects.get(recipient=city_staff).read_at is None
    assert b"mark-all-read" not in response.content  # nothing left to mark


def test_an_external_link_is_not_followed(client_for, county_staff):
    bad = note(county_staff, "外部链接", link="https://evil.example/")
    response = client_for(county_staff).post(READ, {"id": bad.pk})
    assert response["Location"] == LIST


def test_reading_needs_post(client_for, county_staff):
    assert client_for(county_staff).get(READ).status_code == 405


def test_empty_list(client_for, outsider):
    response = client_for(outsider).get(LIST)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0


def test_query_count_is_pinned(client_for, county_staff):
    client = client_for(county_staff)
    client.get(LIST)  # warm up the session

    def count_for(n):
        Notification.objects.filter(recipient=county_staff).delete()
        Notification.objects.bulk_create(
            Notification(recipient=county_staff, kind="x", text=f"通知{i}") for i in range(n)
        )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST).status_code == 200
        return len(ctx)

    few, many = count_for(3), count_for(PAGE_SIZE * 3)
    assert few == many
    assert many <= 9, many  # session, user, grants (nav), page count, rows, unread count…
