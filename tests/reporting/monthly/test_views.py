"""The monthly pages as county staff and the city see them."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from hazards.models import Hazard
from reporting.models import MonthlyTemplate, MonthlyUpload
from reporting.monthly import services
from tests.factories import CountyFactory
from tests.reporting.monthly.helpers import prepare, register

pytestmark = pytest.mark.django_db
Status = MonthlyUpload.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.REPORTING_UPLOADER = "file"


def this_label():
    return services.month_label(services.this_month())


@pytest.fixture
def ready(tree):
    register(tree, tree.tz_school, found_on=services.this_month())
    return prepare(tree.tongzhou, this_label())


def test_county_staff_land_on_their_county_and_download_the_workbook(
    ready, county_staff, client_for
):
    client = client_for(county_staff)
    response = client.get(reverse("reporting:month_index"))
    assert response["Location"] == reverse("reporting:month_status", args=["NT-TZ"])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f'id="upload-{this_label()}"' in page.content.decode()
    assert f'id="confirm-{this_label()}"' in page.content.decode()
    download = client.get(reverse("reporting:month_download", args=["NT-TZ", this_label()]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"


def test_a_bad_confirmation_changes_nothing_and_keeps_what_was_typed(
    ready, county_staff, client_for
):
    url = reverse("reporting:month_confirm", args=["NT-TZ", this_label()])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    client = client_for(county_staff)
    for data in (
        {"receipt_number": "", "receipt_date": timezone.localdate().isoformat()},
        {"receipt_number": "JS-7", "receipt_date": tomorrow.isoformat()},
        {"receipt_number": "JS-7", "receipt_date": "2026-13-45"},
    ):
        response = client.post(url, data)
        assert response.status_code == 200
        assert response.context["uploads"][0].form.errors
        ready.refresh_from_db()
        assert ready.status == Status.READY
    assert 'value="JS-7"' in response.content.decode()
    assert not Hazard.objects.filter(uploaded_month__isnull=False).exists()


def test_confirming_marks_the_hazards_uploaded(ready, county_staff, client_for):
    url = reverse("reporting:month_confirm", args=["NT-TZ", this_label()])
    today = timezone.localdate().isoformat()
    response = client_for(county_staff).post(url, {"receipt_number": "JS-9", "receipt_date": today})
    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.status == Status.CONFIRMED and ready.receipt_number == "JS-9"
    assert ready.confirmed_by == county_staff
    assert set(Hazard.objects.values_list("uploaded_month", flat=True)) == {ready.month}
    again = client_for(county_staff).post(url, {"receipt_number": "JS-10", "receipt_date": today})
    assert again.status_code == 200
    ready.refresh_from_db()
    assert ready.receipt_number == "JS-9"


def test_the_city_month_view_lists_every_county_with_pinned_queries(
    tree, ready, city_staff, client_for, django_assert_max_num_queries
):
    url = reverse("reporting:month_overview", args=[this_label()])
    client = client_for(city_staff)
    client.get(url)  # warm the session and the grants
    with django_assert_max_num_queries(12):
        response = client.get(url)
    rows = response.context["rows"]
    assert sorted(r["county"].code for r in rows) == ["NT-RD", "NT-TZ"]
    assert {r["county"].code: r["status"] for r in rows} == {
        "NT-RD": "not_prepared",
        "NT-TZ": "ready",
    }
    for n in range(6):
        county = CountyFactory(name=f"新县{n}", code=f"NT-X{n}", parent=tree.city)
        MonthlyUpload.objects.create(county=county, city=tree.city, month=services.this_month())
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert len(response.context["rows"]) == 8


def test_the_county_page_queries_do_not_grow_with_months(
    tree, ready, county_staff, client_for, django_assert_max_num_queries
):
    url = reverse("reporting:month_status", args=["NT-TZ"])
    client = client_for(county_staff)
    client.get(url)
    with django_assert_max_num_queries(14):
        client.get(url)
    for month in (dt.date(2026, 5, 1), dt.date(2026, 6, 1), dt.date(2026, 7, 1)):
        register(tree, tree.tz_school, found_on=month)
        prepare(tree.tongzhou, services.month_label(month))
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert len(response.context["uploads"]) == 4
    assert all(u.overdue for u in response.context["uploads"][1:])


def test_the_format_editor_previews_validates_and_saves_versions(
    tree, ready, city_admin, client_for
):
    url = reverse("reporting:month_template")
    client = client_for(city_admin)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["current"].version == 0
    data = {
        "columns": "编号 | code\n类别 | category_code\n等级 | level_code",
        "category_codes": "fire = XF01",
        "level_general": "YB",
        "level_major": "ZD",
    }
    preview = client.post(url, data | {"action": "preview"})
    assert preview.context["preview_headings"] == ["编号", "类别", "等级"]
    assert preview.context["preview_rows"][0][2] == "YB"
    assert not MonthlyTemplate.objects.exists()

    bad = client.post(url, data | {"columns": "编号 | nope\n没有分隔", "action": "save"})
    assert bad.status_code == 200 and len(bad.context["form"].errors["columns"]) == 2
    assert not MonthlyTemplate.objects.exists()

    assert client.post(url, data | {"action": "save"}).status_code == 302
    assert client.post(url, data | {"level_major": "Z", "action": "save"}).status_code == 302
    versions = list(MonthlyTemplate.objects.values_list("version", "level_codes"))
    assert versions == [(2, {"general": "YB", "major": "Z"}), (1, {"general": "YB", "major": "ZD"})]
    ready.refresh_from_db()
    assert ready.template_version == 0  # the list prepared before keeps its version


def test_county_staff_may_not_edit_the_format(county_staff, client_for):
    assert client_for(county_staff).get(reverse("reporting:month_template")).status_code == 403


def test_an_unknown_month_is_explained(city_staff, client_for):
    response = client_for(city_staff).get(reverse("reporting:month_overview", args=["2026-99"]))
    assert response.status_code == 302


@pytest.mark.parametrize("day, label", [(3, "2026-11"), (26, "2026-12")])
def test_the_city_lands_on_the_month_people_act_on(tree, city_staff, client_for, day, label):
    with time_machine.travel(dt.datetime(2026, 12, day, 10, tzinfo=dt.UTC), tick=False):
        response = client_for(city_staff).get(reverse("reporting:month_index"))
    assert response["Location"] == reverse("reporting:month_overview", args=[label])
