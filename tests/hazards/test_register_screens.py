"""The register's screens as their users live in them (issue 7 B): what a school officer is
not shown, the awaiting list oldest first with its waiting time, notices that name the school
and the place, status counts with a status ticked, the upload kind the state calls for,
numbers with thousands separators, and the printed header."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core import notices as core_notices
from core.models import Notification
from hazards import notices, services
from hazards.models import Evidence, Hazard
from hazards.services.notify import hazard_event_notify
from tests.hazards.conftest import local, png_upload
from tests.hazards.test_register_list import bulk_hazards

S = Hazard.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def register_page(client, **query):
    return client.get(reverse("hazards:hazard_list"), query)


def rectifying(make_planned_hazard, officer, **overrides):
    hazard = make_planned_hazard(**overrides)
    return services.hazard_start_rectification(hazard=hazard, actor=officer)


def submitted(make_planned_hazard, officer, **overrides):
    hazard = rectifying(make_planned_hazard, officer, **overrides)
    services.hazard_attach(
        hazard=hazard, actor=officer, kind=Evidence.Kind.AFTER, upload=png_upload()
    )
    return services.hazard_submit_for_acceptance(hazard=hazard, actor=officer)


# --- A school officer's register --------------------------------------------------------------


def test_a_school_officer_sees_no_county_filter_table_or_import(
    client_for, school_officer, make_hazard
):
    make_hazard()
    response = register_page(client_for(school_officer))
    html = response.content.decode()
    assert response.context["show_counties"] is False
    assert 'name="county"' not in html and 'name="school"' not in html
    assert 'id="five-share"' not in html
    assert 'id="hazard-import-link"' not in html
    assert 'id="hazard-new-link"' in html  # registering is theirs


def test_county_staff_keep_the_county_filter_and_the_import(client_for, county_staff, make_hazard):
    make_hazard()
    html = register_page(client_for(county_staff)).content.decode()
    assert 'name="county"' in html
    assert 'id="hazard-import-link"' in html


def test_the_register_is_a_list_of_cards_on_a_phone_and_a_table_on_a_desk(
    client_for, county_staff, make_hazard
):
    hazard = make_hazard()
    html = register_page(client_for(county_staff)).content.decode()
    cards = html[html.index('id="hazard-cards"') :]
    card = cards[: cards.index("</li>")]
    assert "d-md-none" in html[html.rindex("<ul", 0, html.index('id="hazard-cards"')) :][:200]
    for text in (hazard.code, hazard.school.name, "一般隐患", "已登记"):
        assert text in card
    assert re.search(r'class="table-responsive d-none d-md-block[^"]*"', html)
    # The office screen: the register's page is as wide as the screen allows.
    assert '<body class="portal-page-wide"' in html


# --- Awaiting acceptance: when submitted, how long waited, oldest first --------------------


def test_the_submit_records_when_and_the_workbench_lists_the_oldest_first(
    client_for, school_officer, county_staff, make_planned_hazard, time_machine
):
    time_machine.move_to(local(dt.date(2026, 3, 2), 9), tick=False)
    older = submitted(make_planned_hazard, school_officer, location="东门岗亭")
    time_machine.move_to(local(dt.date(2026, 3, 4), 15), tick=False)
    newer = submitted(make_planned_hazard, school_officer, location="操场围栏")
    assert older.submitted_at == local(dt.date(2026, 3, 2), 9)
    time_machine.move_to(local(dt.date(2026, 3, 5), 10), tick=False)

    response = client_for(county_staff).get(reverse("campaign:workbench"))
    rows = response.context["sections"][0]["context"]["actions"]["awaiting_rows"]
    assert [h.code for h in rows] == [older.code, newer.code]
    html = response.content.decode()
    block = html[html.index('id="wb-awaiting-rows"') :]
    assert "提交于 2026-03-02 09:00" in block
    assert "已等待 3 天" in block and "已等待 1 天" in block

    page = register_page(
        client_for(county_staff), status="awaiting_acceptance", sort="submitted_at"
    )
    assert [h.code for h in page.context["rows"]] == [older.code, newer.code]
    assert 'data-days="3"' in page.content.decode()


def test_the_awaiting_link_of_the_workbench_sorts_by_waiting_time(
    client_for, school_officer, county_staff, make_planned_hazard
):
    submitted(make_planned_hazard, school_officer)
    html = client_for(county_staff).get(reverse("campaign:workbench")).content.decode()
    href = re.search(r'href="([^"]+)" id="wb-awaiting"', html).group(1)
    assert "status=awaiting_acceptance" in href and "sort=submitted_at" in href


def test_a_sent_back_hazard_shows_no_waiting_time(
    client_for, school_officer, county_staff, make_planned_hazard
):
    hazard = submitted(make_planned_hazard, school_officer)
    services.hazard_reject(hazard=hazard, actor=county_staff, note="照片不清楚")
    hazard.refresh_from_db()
    assert hazard.submitted_at is not None and hazard.days_waiting is None


# --- Notices name the school and the place -------------------------------------------------


def test_the_awaiting_notice_names_the_school_and_the_place(
    school_officer, county_staff, make_planned_hazard, django_capture_on_commit_callbacks
):
    hazard = submitted(make_planned_hazard, school_officer, location="教学楼一楼东侧")
    event = hazard.events.filter(to_status=S.AWAITING_ACCEPTANCE).get()
    hazard_event_notify(event_id=event.pk)
    notice = Notification.objects.get(recipient=county_staff, kind=notices.AWAITING)
    with translation.override("zh-hans"):
        zh = core_notices.render(notice)
    with translation.override("en"):
        en = core_notices.render(notice)
    assert zh == f"通州区实验小学（教学楼一楼东侧）隐患 {hazard.code} 待您验收。"
    assert en == f"Hazard {hazard.code} at 通州区实验小学 (教学楼一楼东侧) awaits your acceptance."


@pytest.mark.parametrize(
    ("kind", "extra", "zh_part"),
    [
        (notices.DUE, {"days": 2}, "通州区实验小学（操场）"),
        (notices.OVERDUE, {"days": 3}, "通州区实验小学（操场）"),
        (notices.ESCALATED, {"days": 9, "major": True}, "通州区实验小学（操场）"),
        (notices.STATUS, {"status": "closed"}, "通州区实验小学（操场）"),
    ],
)
def test_every_notice_names_the_place(kind, extra, zh_part):
    params = {"code": "NT-2026-000001", "school": "通州区实验小学", "location": "操场"}
    params |= {"deadline": "2026-03-01"} | extra
    notice = Notification(kind=kind, params=params)
    with translation.override("zh-hans"):
        assert zh_part in core_notices.render(notice)
    with translation.override("en"):
        assert "通州区实验小学 (操场)" in core_notices.render(notice)


def test_an_old_notice_without_a_place_still_reads():
    notice = Notification(kind=notices.STATUS, params={"code": "NT-1", "status": "closed"})
    with translation.override("zh-hans"):
        text = core_notices.render(notice)
    assert text.startswith("隐患 NT-1 当前状态为“") and "（" not in text


# --- Status counts with a status ticked -----------------------------------------------------


def test_status_counts_stay_true_when_a_status_is_ticked(
    client_for, county_staff, school_officer, make_hazard, make_planned_hazard
):
    make_hazard()
    make_hazard()
    make_planned_hazard()
    response = register_page(client_for(county_staff), status="planned")
    counts = {c["value"]: c["count"] for c in response.context["status_counts"]}
    assert counts["reported"] == 2 and counts["planned"] == 1
    ticked = [c["value"] for c in response.context["status_counts"] if c["ticked"]]
    assert ticked == ["planned"]
    assert response.context["total"] == 1 == len(response.context["rows"])
    assert response.context["all_count"] == 3
    html = response.content.decode()
    assert 'data-count="reported">2<' in html
    assert re.search(r'aria-current="true" data-status="planned"', html)


# --- The upload kind follows the state ------------------------------------------------------


def _selected_kind(client, hazard):
    html = client.get(reverse("hazards:hazard_detail", args=[hazard.code])).content.decode()
    form = html[html.index('id="upload-form"') :]
    return re.search(r'<option value="(\w+)" selected>', form).group(1)


def test_the_upload_kind_defaults_to_what_the_state_needs(
    client_for, school_officer, make_hazard, make_planned_hazard
):
    officer = client_for(school_officer)
    assert _selected_kind(officer, make_hazard()) == "before"
    hazard = rectifying(make_planned_hazard, school_officer)
    assert _selected_kind(officer, hazard) == "after"
    html = officer.get(reverse("hazards:hazard_detail", args=[hazard.code])).content.decode()
    photo = re.search(r'<input type="file" name="file" id="after-photo-file"[^>]*>', html).group(0)
    assert 'accept="image/*"' in photo and 'capture="environment"' in photo


# --- Numbers with thousands separators ------------------------------------------------------


def test_register_counts_have_thousands_separators(tree, client_for, city_staff):
    bulk_hazards(tree, 1203)
    html = register_page(client_for(city_staff)).content.decode()
    assert 'data-count="all">1,203<' in html
    assert "共 1,203 条" in html
    assert 'data-count="reported">401<' in html


def test_the_workbench_numbers_have_thousands_separators(client_for, county_staff, tree):
    html = client_for(county_staff).get(reverse("campaign:workbench")).content.decode()
    assert re.search(r'id="total-students">1,600<', html)


def test_the_year_end_overview_has_thousands_separators(tree, client_for, city_staff):
    bulk_hazards(tree, 1650)  # found over 30 days up to 2026-01-20: 1,100 of them in 2026
    html = client_for(city_staff).get(reverse("hazards:hazard_year_end"), {"year": 2026})
    assert '<td class="text-end">1,100</td>' in html.content.decode()


# --- Print --------------------------------------------------------------------------------------


def test_the_printed_register_names_the_bureau_the_unit_and_the_date(
    client_for, county_staff, settings
):
    html = register_page(client_for(county_staff)).content.decode()
    header = html[html.index('id="print-header"') :][:600]
    assert settings.PORTAL_BUREAU in header
    assert "通州区" in header
    assert "打印日期：" in header and f"{timezone.localdate():%Y}年" in header
