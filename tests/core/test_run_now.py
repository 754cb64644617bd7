"""The city administrator's "run now" page (core.views_schedules): every declared schedule with
a label, its timing and last run; pressing the button puts the task's message on the real
broker (the embedded filesystem broker in a private folder, and Redis when CELERY_BROKER_URL
names one), read back from there."""

import json
import os

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask

from campaign.roles import Role
from core import schedules
from core.models import AuditEntry
from tests.factories import UserFactory, grant
from tests.test_worker import Broker

pytestmark = pytest.mark.django_db
ENV_BROKER = os.environ.get("CELERY_BROKER_URL", "")
OPEN_WEEK = "weekly reports: open the week"


def offered():
    return [s for s in schedules.declared() if s.label]


def test_the_page_lists_every_labelled_schedule_with_its_last_run(tree, client_for, city_admin):
    call_command("sync_schedules", stdout=open(os.devnull, "w"))
    PeriodicTask.objects.filter(name=OPEN_WEEK).update(
        last_run_at=timezone.now(), total_run_count=7
    )
    response = client_for(city_admin).get(reverse("core:schedule_list"))
    assert response.status_code == 200
    items = response.context["items"]
    assert {i["schedule"].name for i in items} == {s.name for s in offered()}
    assert "worker heartbeat" not in {i["schedule"].name for i in items}
    week = next(i for i in items if i["schedule"].name == OPEN_WEEK)
    assert week["row"].total_run_count == 7 and week["row"].enabled
    assert 'name="name" value="weekly reports: open the week"' in response.content.decode()


def test_a_city_administrator_without_superuser_may_use_it_and_city_staff_may_not(
    tree, client_for, city_staff
):
    admin = grant(UserFactory(username="plain-admin"), Role.CITY_ADMIN, tree.city)
    assert client_for(admin).get(reverse("core:schedule_list")).status_code == 200
    assert client_for(city_staff).get(reverse("core:schedule_list")).status_code == 403
    response = client_for(city_staff).post(reverse("core:schedule_run_now"), {"name": OPEN_WEEK})
    assert response.status_code == 403


def test_an_unknown_schedule_sends_nothing_and_says_so(tree, client_for, city_admin):
    client = client_for(city_admin)
    response = client.post(reverse("core:schedule_run_now"), {"name": "worker heartbeat"})
    assert response.status_code == 302
    messages = list(client.get(response["Location"]).context["messages"])
    assert [m.level_tag for m in messages] == ["error"]
    assert not AuditEntry.objects.filter(action="schedule.run_now").exists()


def _messages_on(broker):
    """(task name, id) of every message waiting on the broker's default queue."""
    if broker.url.startswith("filesystem://"):
        raw = [p.read_bytes() for p in (broker.folder / "queue").iterdir()]
    else:
        import redis

        raw = redis.Redis.from_url(broker.url).lrange("celery", 0, -1)
    found = []
    for blob in raw:
        message = json.loads(blob)
        found.append((message["headers"]["task"], message["headers"]["id"]))
    return found


def _drop(broker, task_id):
    if broker.url.startswith("filesystem://"):
        return
    import redis

    client = redis.Redis.from_url(broker.url)
    for blob in client.lrange("celery", 0, -1):
        if json.loads(blob)["headers"]["id"] == task_id:
            client.lrem("celery", 1, blob)


@pytest.mark.parametrize(
    "url", [pytest.param("filesystem://", id="embedded"), pytest.param(ENV_BROKER, id="redis")]
)
def test_run_now_puts_the_task_on_the_broker(
    url, tree, client_for, city_admin, settings, tmp_path, monkeypatch
):
    if not url.startswith(("filesystem://", "redis://", "rediss://")):
        pytest.skip("CELERY_BROKER_URL does not name a Redis server (CI sets it)")
    schedule = next(s for s in offered() if s.name == OPEN_WEEK)
    client = client_for(city_admin)
    with Broker(url, tmp_path / "broker", settings, monkeypatch) as broker:
        before = _messages_on(broker)
        with translation.override("en"):
            response = client.post(reverse("core:schedule_run_now"), {"name": OPEN_WEEK})
        assert response.status_code == 302
        sent = [m for m in _messages_on(broker) if m not in before]
        try:
            assert [task for task, _id in sent] == [schedule.task]
            entry = AuditEntry.objects.get(action="schedule.run_now")
            assert entry.actor == city_admin and entry.detail["task"] == schedule.task
            with translation.override("en"):
                (message,) = client.get(response["Location"]).context["messages"]
            assert sent[0][1] in str(message) and "已发送给后台执行进程" in str(message)
        finally:
            for _task, task_id in sent:
                _drop(broker, task_id)
