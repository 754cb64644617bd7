"""The daily escalation run: who is told about which hazard, once a day, and the e-mail digest.

The clock stands at a fixed morning (time-machine), so that every test runs the same whatever
the day it runs on.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaign.roles import Role
from core import services as core_services
from core.models import JobRun, Notification
from core.schedules import declared
from hazards.escalation import hazards_escalate
from hazards.models import Hazard
from hazards.tasks import hazard_escalation_task
from tests.factories import UserFactory, grant

TODAY = dt.date(2026, 3, 16)


@pytest.fixture(autouse=True)
def morning(time_machine):
    time_machine.move_to(dt.datetime.combine(TODAY, dt.time(7, 30), ZoneInfo("Asia/Shanghai")))


@pytest.fixture(autouse=True)
def no_digest(settings):
    settings.HAZARD_EMAIL_DIGEST = False
    return settings


@pytest.fixture
def people(school_officer, county_staff, city_staff, other_county_staff, inspector, leader):
    return {
        "officer": school_officer,
        "county": county_staff,
        "city": city_staff,
        "rudong": other_county_staff,
        "inspector": inspector,
        "leader": leader,
    }


def due(make_hazard, days, **overrides):
    """A hazard whose time limit is ``days`` from today (negative: overdue)."""
    hazard = make_hazard(**overrides)
    Hazard.objects.filter(pk=hazard.pk).update(deadline=TODAY + dt.timedelta(days=days))
    hazard.refresh_from_db()
    return hazard


def told(user):
    return {(n.kind, n.link) for n in Notification.objects.filter(recipient=user)}


def test_due_in_three_days_tells_the_school_only(make_hazard, people):
    hazard = due(make_hazard, 3)
    Notification.objects.all().delete()  # registration notices are not what we look at
    assert hazards_escalate(today=TODAY)["notifications"] == 1
    assert told(people["officer"]) == {("hazard.due", hazard.get_absolute_url())}
    notice = Notification.objects.get(recipient=people["officer"])
    assert hazard.code in notice.text
    assert "3" in notice.text
    for name in ("county", "city", "rudong", "inspector", "leader"):
        assert told(people[name]) == set(), name


def test_due_in_four_days_or_closed_tells_nobody(make_hazard, people):
    due(make_hazard, 4)
    closed = due(make_hazard, -20)
    Hazard.objects.filter(pk=closed.pk).update(
        status=Hazard.Status.CLOSED,
        five_complete=True,
        closed_at=timezone.now(),
        accepted_level=Hazard.AcceptanceLevel.COUNTY,
        acceptance_opinion="经复查整改到位",
    )
    no_limit = make_hazard()
    Hazard.objects.filter(pk=no_limit.pk).update(deadline=None)
    Notification.objects.all().delete()
    assert hazards_escalate(today=TODAY)["notifications"] == 0


def test_overdue_tells_the_county_not_the_city(make_hazard, people):
    hazard = due(make_hazard, -1)
    Notification.objects.all().delete()
    hazards_escalate(today=TODAY)
    assert told(people["county"]) == {("hazard.overdue", hazard.get_absolute_url())}
    assert told(people["officer"]) == set()
    assert told(people["city"]) == set()
    assert told(people["rudong"]) == set()


def test_overdue_fifteen_days_also_tells_the_city(make_hazard, people):
    hazard = due(make_hazard, -15)
    Notification.objects.all().delete()
    hazards_escalate(today=TODAY)
    assert told(people["county"]) == {("hazard.overdue", hazard.get_absolute_url())}
    assert told(people["city"]) == {("hazard.escalated", hazard.get_absolute_url())}
    assert "15" in Notification.objects.get(recipient=people["city"]).text


def test_a_major_hazard_overdue_goes_to_the_city_at_once(make_hazard, people):
    hazard = due(make_hazard, -1, level=Hazard.Level.MAJOR)
    Notification.objects.all().delete()
    hazards_escalate(today=TODAY)
    assert told(people["city"]) == {("hazard.escalated", hazard.get_absolute_url())}
    assert told(people["county"]) == {("hazard.overdue", hazard.get_absolute_url())}


def test_a_city_direct_school_overdue_goes_to_the_city_once(make_hazard, tree, people):
    officer = grant(UserFactory(username="nt-officer"), Role.SCHOOL_OFFICER, tree.city_school)
    hazard = due(make_hazard, -20, school=tree.city_school, actor=officer)
    Notification.objects.all().delete()
    hazards_escalate(today=TODAY)
    # The city is reached both as "the county" and as "the city": one notice, the higher one.
    assert told(people["city"]) == {("hazard.escalated", hazard.get_absolute_url())}
    assert told(people["county"]) == set()


def test_a_second_run_the_same_day_writes_nothing_new(make_hazard, people):
    due(make_hazard, 2)
    due(make_hazard, -3)
    due(make_hazard, -30)
    Notification.objects.all().delete()
    first = hazards_escalate(today=TODAY)["notifications"]
    assert first == Notification.objects.count() > 0
    assert hazards_escalate(today=TODAY)["notifications"] == 0
    assert Notification.objects.count() == first
    # The next day is a new reminder.
    assert hazards_escalate(today=TODAY + dt.timedelta(days=1))["notifications"] > 0


def test_the_text_is_in_chinese(make_hazard, people):
    due(make_hazard, -2)
    Notification.objects.all().delete()
    hazards_escalate(today=TODAY)
    text = Notification.objects.get(recipient=people["county"]).text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text.replace("通州区实验小学", ""))


def test_a_digest_e_mail_per_person_when_mail_is_configured(make_hazard, people, settings):
    settings.HAZARD_EMAIL_DIGEST = True
    first = due(make_hazard, -1)
    second = due(make_hazard, -16)
    Notification.objects.all().delete()
    result = hazards_escalate(today=TODAY)
    # 通州区 staff: two overdue notices in one e-mail; the city: one escalation.
    assert result["emails"] == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    county_mail = by_recipient[people["county"].email]
    assert first.code in county_mail.body and second.code in county_mail.body
    assert second.code in by_recipient[people["city"].email].body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    # Nothing is e-mailed twice.
    mail.outbox.clear()
    assert hazards_escalate(today=TODAY)["emails"] == 0
    assert mail.outbox == []


def test_no_digest_for_a_person_who_turned_it_off(make_hazard, people, settings):
    settings.HAZARD_EMAIL_DIGEST = True
    people["county"].email_digest = False
    people["county"].save(update_fields=["email_digest"])
    hazard = due(make_hazard, -16)  # overdue for 通州区, escalated to the city
    Notification.objects.all().delete()
    assert hazards_escalate(today=TODAY)["emails"] == 1
    assert [m.to for m in mail.outbox] == [[people["city"].email]]
    assert hazard.code in mail.outbox[0].body
    # Their notification is still on the portal, just not e-mailed.
    assert Notification.objects.get(recipient=people["county"]).emailed_at is None


def test_no_e_mail_with_the_console_backend(make_hazard, people, settings):
    del settings.HAZARD_EMAIL_DIGEST
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    due(make_hazard, -1)
    Notification.objects.all().delete()
    assert hazards_escalate(today=TODAY) == {"notifications": 1, "emails": 0}
    assert Notification.objects.get().emailed_at is None


def test_the_task_asks_for_a_job_run_per_city_and_is_scheduled_daily(
    make_hazard, people, tree, django_capture_on_commit_callbacks
):
    """The run itself is tested in test_escalation_job.py."""
    due(make_hazard, -1)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False):
        run_ids = hazard_escalation_task.apply().get()
    run = JobRun.objects.get(kind="hazard_escalation")
    assert run_ids == [run.pk]
    assert (run.unit, run.period, run.requested_by) == (tree.city, TODAY.isoformat(), None)
    core_services.job_run_execute(job_run_id=run.pk)
    run.refresh_from_db()
    assert run.result == {"notifications": 1, "emails": 0}
    schedule = {s.task: s for s in declared()}["hazards.tasks.hazard_escalation_task"]
    assert schedule.crontab == "30 7 * * *"


def test_queries_do_not_grow_with_hazards(make_hazard, people):
    """Recipients are read once per unit and level, rows written in one batch: five times the
    hazards (at the same school) cost the same queries and write five times the notices."""
    kinds = (-1, -2, -20, 1, 2)  # overdue, overdue, escalated to the city, due, due

    def run():
        Notification.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            written = hazards_escalate(today=TODAY)["notifications"]
        return len(ctx), written

    for days in kinds:
        due(make_hazard, days)
    few_queries, few_written = run()
    for days in kinds * 4:
        due(make_hazard, days)
    many_queries, many_written = run()

    assert few_written == 6  # the -20 one tells the county and the city
    assert many_written == 5 * few_written
    assert many_queries == few_queries <= 10
