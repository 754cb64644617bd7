"""Every periodic job is a job run (DESIGN §6): the daily hazard escalation and the nightly
organisation statistics write one run per top unit and day, record what they did, and are
seen by the people they concern. The heartbeat and the sweeper are probes, not job runs."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign import services as campaign_services
from campaign.roles import Role
from campaign.tasks import org_statistics_nightly_task
from core import services as core_services
from core.models import JobRun, Notification
from core.tasks import worker_heartbeat_task
from hazards.escalation import hazards_escalation_request
from hazards.models import Hazard
from hazards.tasks import hazard_escalation_task
from tests.factories import CityFactory, CountyFactory, SchoolFactory, UserFactory, grant

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def quiet(settings, tmp_path):
    settings.HAZARD_EMAIL_DIGEST = False
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def suzhou(db):
    """A second city with a county, a school and that county's staff."""
    city = CityFactory(name="苏州市", code="SZ")
    county = CountyFactory(name="姑苏区", code="SZ-GS", parent=city)
    school = SchoolFactory(name="姑苏区实验小学", code="SZ-GS-0001", parent=county)
    staff = grant(UserFactory(username="gusu"), Role.COUNTY_STAFF, county)
    return city, school, staff


def overdue(make_hazard, **overrides):
    hazard = make_hazard(**overrides)
    Hazard.objects.filter(pk=hazard.pk).update(deadline=TODAY - dt.timedelta(days=1))
    return hazard


def run_of(kind, unit):
    return JobRun.objects.get(kind=kind, unit=unit, period=TODAY.isoformat())


def execute(run):
    assert core_services.job_run_execute(job_run_id=run.pk) == JobRun.State.SUCCEEDED
    run.refresh_from_db()
    return run


def test_the_escalation_is_a_run_per_city_and_day_that_escalates_its_city_only(
    tree, make_hazard, county_staff, suzhou, django_capture_on_commit_callbacks
):
    """Before, the daily escalation wrote no job run at all (fails on the code before)."""
    city, school, gusu_staff = suzhou
    overdue(make_hazard)
    overdue(make_hazard, school=school, actor=gusu_staff)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False):
        first = hazard_escalation_task.apply().get()
        again = hazard_escalation_task.apply().get()  # the same day: the same runs
    nantong, suzhou_run = run_of("hazard_escalation", tree.city), run_of("hazard_escalation", city)
    assert sorted(first) == sorted(again) == sorted([nantong.pk, suzhou_run.pk])
    assert nantong.scope_units() == [tree.city]

    execute(nantong)
    assert nantong.result == {"notifications": 1, "emails": 0}
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"tongzhou"}
    execute(suzhou_run)
    assert suzhou_run.result == {"notifications": 1, "emails": 0}
    assert Notification.objects.filter(recipient=gusu_staff).count() == 1


def test_the_escalation_run_is_seen_by_who_sees_the_city(
    tree, make_hazard, city_staff, leader, county_staff, client_for
):
    overdue(make_hazard)
    (run,) = hazards_escalation_request(today=TODAY)
    execute(run)
    url = reverse("campaign:job_detail", args=[run.pk])
    for user in (city_staff, leader):
        page = client_for(user).get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert "Daily hazard escalation" in text
        assert "Notifications written: 1; e-mails sent: 0." in text
    # What it counted is the whole city's: not for one county's staff.
    assert client_for(county_staff).get(url).status_code == 404


def test_a_failed_escalation_is_asked_for_again_by_the_next_request(tree, make_hazard):
    (run,) = hazards_escalation_request(today=TODAY)
    JobRun.objects.filter(pk=run.pk).update(state=JobRun.State.FAILED, reason="worker_lost")
    (again,) = hazards_escalation_request(today=TODAY)
    assert again.pk == run.pk
    assert again.state == JobRun.State.QUEUED


def test_the_nightly_statistics_are_a_run_per_top_unit_and_day(
    tree, suzhou, city_staff, client_for, django_capture_on_commit_callbacks
):
    city, _school, gusu_staff = suzhou
    with django_capture_on_commit_callbacks(execute=False):
        org_statistics_nightly_task.apply()
        org_statistics_nightly_task.apply()
    runs = JobRun.objects.filter(kind=campaign_services.ORG_STATISTICS)
    assert sorted(runs.values_list("unit__code", "period")) == [
        ("NT", TODAY.isoformat()),
        ("SZ", TODAY.isoformat()),
    ]
    run = execute(run_of(campaign_services.ORG_STATISTICS, tree.city))
    assert run.result == {"units": 3, "schools": 4}
    text = client_for(city_staff).get(reverse("campaign:job_detail", args=[run.pk])).content
    assert b"Units counted: 3; schools: 4." in text
    # 苏州's staff do not see 南通's run.
    assert client_for(gusu_staff).get(
        reverse("campaign:job_detail", args=[run.pk])
    ).status_code == (404)


def test_probes_write_no_job_run(tree):
    worker_heartbeat_task.apply()
    core_services.job_runs_sweep()
    assert not JobRun.objects.exists()
