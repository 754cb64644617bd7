"""Filling a weekly report: figures from the register, the draft with its version, submitting
(rounds, late, empty), returned and resubmitted, the lock, the files; and the county's rollup."""

import datetime as dt
import os

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from hazards import services as hazard_services
from hazards.models import Hazard
from reporting.models import WeeklyReport, WeeklyReportRound
from reporting.weekly import emptiness, figures, filling, opening, review
from tests.hazards.conftest import five_implementations, local, png_upload

WEEK = dt.date(2026, 11, 30)  # 2026-W49; the school deadline is Friday 2026-12-04 17:00
THURSDAY = local(WEEK + dt.timedelta(days=3), 10)
SATURDAY = local(WEEK + dt.timedelta(days=5), 10)
TEXTS = {
    "work_done": "本周完成校门口护栏检修，组织消防疏散演练一次。",
    "problems": "食堂燃气报警器老化。",
    "next_week": "更换燃气报警器，复查护栏。",
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def thursday():
    with time_machine.travel(THURSDAY, tick=False):
        yield


@pytest.fixture
def week(tree, thursday):
    opening.week_open(week=WEEK)
    return WEEK


def report_of(unit):
    return WeeklyReport.objects.select_related("unit", "review_unit").get(unit=unit, week=WEEK)


def test_figures_are_read_from_the_register(week, tree, make_hazard, school_officer, county_staff):
    make_hazard(found_on=WEEK, level=Hazard.Level.MAJOR)
    started = make_hazard(found_on=WEEK - dt.timedelta(days=10), **five_implementations())
    hazard_services.hazard_start_rectification(hazard=started, actor=school_officer)
    make_hazard(found_on=WEEK - dt.timedelta(days=40), deadline=WEEK - dt.timedelta(days=1))
    make_hazard(school=tree.tz_school2, found_on=WEEK, actor=county_staff)  # another school's
    later = make_hazard(found_on=WEEK)  # moved to next week: not counted
    Hazard.objects.filter(pk=later.pk).update(found_on=WEEK + dt.timedelta(days=7))

    report = figures.refresh(report_of(tree.tz_school))

    assert report.figures() == {
        "found": 1,
        "started": 1,
        "closed": 0,
        "still_open": 3,
        "overdue": 1,
        "major_open": 1,
    }
    assert report.figures_at is not None
    # Refreshed until submitted: a hazard registered later shows on the next read.
    make_hazard(found_on=WEEK + dt.timedelta(days=1))
    assert figures.refresh(report_of(tree.tz_school)).found == 2


def test_a_draft_is_saved_with_its_version_and_a_stale_save_changes_nothing(
    week, tree, school_officer
):
    report = report_of(tree.tz_school)
    saved = filling.save_draft(school_officer, report, TEXTS, version=report.version)
    assert saved.version == report.version + 1
    assert report_of(tree.tz_school).work_done == TEXTS["work_done"]

    with pytest.raises(filling.Conflict) as conflict:
        filling.save_draft(school_officer, report, {"work_done": "另一个窗口"}, version=0)
    assert conflict.value.report.work_done == TEXTS["work_done"]
    assert report_of(tree.tz_school).work_done == TEXTS["work_done"]


def test_bad_text_is_refused_with_every_reason(week, tree, school_officer):
    report = report_of(tree.tz_school)
    with pytest.raises(ValidationError) as refused:
        filling.save_draft(
            school_officer,
            report,
            {"work_done": "x" * (filling.TEXT_MAX + 1), "problems": "复制\x0b来的"},
            version=0,
        )
    assert len(refused.value.messages) == 2
    assert "too long" in refused.value.messages[0]
    assert report_of(tree.tz_school).version == 0


def test_submitting_fixes_the_figures_and_opens_a_round(
    week, tree, make_hazard, school_officer, county_staff
):
    make_hazard(found_on=WEEK)
    report = report_of(tree.tz_school)
    done = filling.submit(school_officer, report, TEXTS, version=0)

    assert done.status == WeeklyReport.Status.SUBMITTED
    assert done.first_submitted_at == timezone.now() and not done.is_late
    assert done.found == 1 and not done.is_empty
    (round_,) = WeeklyReportRound.objects.filter(report=done)
    assert round_.number == 1 and round_.figures["found"] == 1
    assert round_.texts == TEXTS
    # Fixed: a hazard registered after submitting does not change the report.
    make_hazard(found_on=WEEK)
    assert figures.refresh(report_of(tree.tz_school)).found == 1
    # Submitted: no more edits until it is returned.
    with pytest.raises(ValidationError):
        filling.save_draft(school_officer, done, TEXTS, version=done.version)


def test_returned_reports_are_resubmitted_in_a_new_round(week, tree, school_officer, county_staff):
    report = filling.submit(school_officer, report_of(tree.tz_school), TEXTS, version=0)
    review.return_report(county_staff, report, "请补充演练照片")
    report = report_of(tree.tz_school)
    assert report.status == WeeklyReport.Status.RETURNED

    with time_machine.travel(SATURDAY, tick=False):
        again = filling.submit(school_officer, report, TEXTS, version=report.version)
    assert [r.number for r in again.rounds.all()] == [1, 2]
    assert again.status == WeeklyReport.Status.SUBMITTED
    # Timeliness is the first submission's: on time, although the second came on Saturday.
    assert not again.is_late


def test_a_late_first_submission_is_late(week, tree, school_officer):
    with time_machine.travel(SATURDAY, tick=False):
        done = filling.submit(school_officer, report_of(tree.tz_school), TEXTS, version=0)
    assert done.is_late


def test_who_fills_which_report(week, tree, school_officer, county_staff, city_staff):
    school, county = report_of(tree.tz_school), report_of(tree.tongzhou)
    # The county reviews its schools' reports: it does not write them.
    with pytest.raises(PermissionDenied):
        filling.save_draft(county_staff, school, TEXTS, version=0)
    with pytest.raises(PermissionDenied):
        filling.save_draft(city_staff, county, TEXTS, version=0)
    assert filling.save_draft(county_staff, county, TEXTS, version=0).version == 1


def test_a_final_report_cannot_be_changed(week, tree, school_officer):
    report = report_of(tree.tz_school)
    WeeklyReport.objects.filter(pk=report.pk).update(locked_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        filling.submit(school_officer, report, TEXTS, version=0)
    assert "final" in refused.value.messages[0]


def test_the_county_report_rolls_up_its_schools_submitted_reports(
    week, tree, make_hazard, school_officer, county_staff
):
    make_hazard(found_on=WEEK)
    # The other school has not submitted: its hazard is not in the county's figures yet.
    make_hazard(found_on=WEEK, school=tree.tz_school2, actor=county_staff)
    filling.submit(school_officer, report_of(tree.tz_school), TEXTS, version=0)

    county = figures.refresh(report_of(tree.tongzhou))
    assert county.found == 1
    summed = figures.rollup(county)
    assert summed["submitted"] == 1 and summed["expected"] >= 2
    done = filling.submit(county_staff, county, TEXTS, version=county.version)
    assert done.rounds.get().figures["found"] == 1


@pytest.mark.parametrize(
    "texts, empty",
    [
        ({"work_done": "", "problems": "", "next_week": ""}, True),
        ({"work_done": "无", "problems": "无。", "next_week": "正常"}, True),
        ({"work_done": "本周开展了安全检查。", "problems": "", "next_week": ""}, True),
        (TEXTS, False),
    ],
)
def test_what_counts_as_empty(texts, empty):
    zero = dict.fromkeys(figures.NAMES, 0)
    assert emptiness.is_empty(zero, texts) is empty
    assert emptiness.is_empty({**zero, "found": 1}, texts) is False


def test_the_same_text_as_last_week_is_empty(week, tree, school_officer):
    filling.submit(school_officer, report_of(tree.tz_school), TEXTS, version=0)
    with time_machine.travel(THURSDAY + dt.timedelta(days=7), tick=False):
        opening.week_open(week=WEEK + dt.timedelta(days=7))
        following = WeeklyReport.objects.select_related("unit", "review_unit").get(
            unit=tree.tz_school, week=WEEK + dt.timedelta(days=7)
        )
        done = filling.submit(school_officer, following, TEXTS, version=0)
    assert done.is_empty and done.rounds.get().is_empty


def test_files_are_attached_checked_and_removed(
    week, tree, school_officer, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    report = report_of(tree.tz_school)
    attachment = filling.attach(school_officer, report, png_upload("演练照片.png"))
    assert attachment.name == "演练照片.png" and len(attachment.sha256) == 64
    assert attachment.file.read() == png_upload().read()
    with pytest.raises(ValidationError):
        filling.attach(school_officer, report, SimpleUploadedFile("a.exe", b"MZ\x90\x00" * 8))
    path = attachment.file.path
    with django_capture_on_commit_callbacks(execute=True):
        filling.detach(school_officer, report, attachment.pk)
    assert not report.attachments.exists()
    assert not os.path.exists(path)
