"""The weekly report's pages: the officer's list, the report page, autosave (JSON) and the
form without script, submitting, files; messages read in the user's language (Chinese)."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting.models import WeeklyReport
from reporting.weekly import filling, opening
from tests.factories import SchoolFactory
from tests.hazards.conftest import local, png_upload

WEEK = dt.date(2026, 11, 30)
LABEL = "2026-W49"
TEXTS = {
    "work_done": "本周完成校门口护栏检修，组织消防疏散演练一次。",
    "problems": "食堂燃气报警器老化。",
    "next_week": "更换燃气报警器，复查护栏。",
}
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def week(tree):
    with time_machine.travel(local(WEEK + dt.timedelta(days=3), 10), tick=False):
        opening.week_open(week=WEEK)
        yield WEEK


def url(name, unit, *extra):
    return reverse(f"reporting:{name}", args=[unit.code, LABEL, *extra])


def report_of(unit):
    return WeeklyReport.objects.get(unit=unit, week=WEEK)


def test_the_officer_finds_this_weeks_report_and_fills_it(tree, school_officer, client_for):
    client = client_for(school_officer)
    page = client.get(reverse("reporting:week_mine")).content.decode()
    assert "填写本周周报" in page and url("week_report", tree.tz_school) in page

    page = client.get(url("week_report", tree.tz_school)).content.decode()
    assert 'id="report-form"' in page and "本周工作" in page
    assert "2026年第49周（11月30日—12月6日）" in page


def test_autosave_answers_json_and_a_stale_version_gets_the_stored_text(
    tree, school_officer, client_for
):
    client = client_for(school_officer)
    saved = client.post(url("week_save", tree.tz_school), {**TEXTS, "version": 0}, **JSON)
    assert saved.status_code == 200 and saved.json()["version"] == 1

    stale = client.post(
        url("week_save", tree.tz_school), {"work_done": "另一个窗口", "version": 0}, **JSON
    )
    assert stale.status_code == 409
    assert stale.json()["conflict"] and stale.json()["texts"]["work_done"] == TEXTS["work_done"]
    assert "另一个窗口" not in report_of(tree.tz_school).work_done


def test_without_script_a_conflict_keeps_what_was_typed(tree, school_officer, client_for):
    client = client_for(school_officer)
    client.post(url("week_save", tree.tz_school), {**TEXTS, "version": 0})
    page = client.post(url("week_save", tree.tz_school), {"work_done": "我刚写的", "version": 0})
    assert page.status_code == 409
    text = page.content.decode()
    assert "我刚写的" in text and TEXTS["work_done"] in text and "另一个窗口" in text


def test_submitting_says_what_happened_and_the_county_can_review(
    tree, school_officer, county_staff, client_for
):
    client = client_for(school_officer)
    done = client.post(url("week_submit", tree.tz_school), {**TEXTS, "version": 0}, follow=True)
    text = done.content.decode()
    assert "已提交审核" in text and "通州区实验小学" in text
    assert report_of(tree.tz_school).status == WeeklyReport.Status.SUBMITTED
    assert 'id="report-form"' not in text

    page = client_for(county_staff).get(url("week_report", tree.tz_school)).content.decode()
    assert 'id="review-accept"' in page and TEXTS["work_done"] in page


def test_an_empty_report_is_flagged_at_once(tree, school_officer, client_for):
    client = client_for(school_officer)
    page = client.get(url("week_report", tree.tz_school)).content.decode()
    assert 'id="report-would-be-empty"' in page
    done = client.post(url("week_submit", tree.tz_school), {"work_done": "无", "version": 0})
    assert report_of(tree.tz_school).is_empty
    assert done.status_code == 302


def test_files_through_the_pages(tree, school_officer, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(school_officer)
    added = client.post(url("week_attach", tree.tz_school), {"file": png_upload("照片.png")})
    assert added.status_code == 302
    (attachment,) = report_of(tree.tz_school).attachments.all()
    download = client.get(url("week_attachment", tree.tz_school, attachment.pk))
    assert b"".join(download.streaming_content) == png_upload().read()

    exe = SimpleUploadedFile("x.exe", b"MZ")
    refused = client.post(url("week_attach", tree.tz_school), {"file": exe}, follow=True)
    assert "“x.exe”未添加" in refused.content.decode()
    assert report_of(tree.tz_school).attachments.count() == 1


def test_the_county_report_page_keeps_its_query_count(
    tree, county_staff, school_officer, client_for, django_assert_max_num_queries
):
    client = client_for(county_staff)
    client.get(url("week_report", tree.tongzhou))  # warm the session and the grants
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("week_report", tree.tongzhou)).status_code == 200
    for n in range(30):
        SchoolFactory(code=f"NT-TZ-{9000 + n}", parent=tree.tongzhou)
    opening.week_open(week=WEEK)
    filling.submit(school_officer, report_of(tree.tz_school), TEXTS, version=0)
    with django_assert_max_num_queries(len(few)):
        page = client.get(url("week_report", tree.tongzhou))
    assert page.content.decode().count('id="school-NT-TZ-9') == 30


def test_the_workbench_shows_this_weeks_report_and_what_awaits_review(
    tree, school_officer, county_staff, client_for
):
    officer = client_for(school_officer)
    page = officer.get(reverse("campaign:workbench")).content.decode()
    assert 'id="wb-weekly-fill"' in page and url("week_report", tree.tz_school) in page

    filling.submit(school_officer, report_of(tree.tz_school), TEXTS, version=0)
    page = client_for(county_staff).get(reverse("campaign:workbench")).content.decode()
    assert 'id="wb-weekly-review"' in page
    assert "本周有 1 份周报待您审核" in page
