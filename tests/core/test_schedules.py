"""manage.py sync_schedules: the beat schedules declared in code, written idempotently."""

import io

from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from core import schedules


def sync():
    out = io.StringIO()
    call_command("sync_schedules", stdout=out)
    return out.getvalue()


def snapshot():
    return sorted(
        PeriodicTask.objects.values_list(
            "id",
            "name",
            "task",
            "interval_id",
            "crontab_id",
            "enabled",
            "expire_seconds",
            "date_changed",
        )
    )


def test_creates_the_heartbeat_and_nightly_statistics(db, settings):
    sync()
    heartbeat = PeriodicTask.objects.get(name="worker heartbeat")
    assert heartbeat.task == "core.tasks.worker_heartbeat_task"
    assert heartbeat.interval.every == settings.WORKER_HEARTBEAT_SECONDS
    assert heartbeat.interval.period == IntervalSchedule.SECONDS
    assert heartbeat.enabled
    nightly = PeriodicTask.objects.get(name="nightly organisation statistics")
    assert nightly.task == "campaign.tasks.org_statistics_nightly_task"
    assert (nightly.crontab.hour, nightly.crontab.minute) == ("2", "30")
    assert str(nightly.crontab.timezone) == "Asia/Shanghai"


def test_running_twice_leaves_the_same_rows(db):
    sync()
    first = snapshot()
    counts = IntervalSchedule.objects.count(), CrontabSchedule.objects.count()
    assert "0 updated" in sync()
    assert snapshot() == first
    assert (IntervalSchedule.objects.count(), CrontabSchedule.objects.count()) == counts


def test_follows_the_code_but_keeps_a_pause(db, settings):
    sync()
    PeriodicTask.objects.filter(name="worker heartbeat").update(enabled=False)
    settings.WORKER_HEARTBEAT_SECONDS = 45
    sync()
    heartbeat = PeriodicTask.objects.get(name="worker heartbeat")
    assert heartbeat.interval.every == 45
    assert heartbeat.enabled is False


def test_removes_a_schedule_no_longer_declared_but_not_hand_made_ones(db, monkeypatch):
    extra = schedules.Schedule(name="old report", task="campaign.tasks.x", every_seconds=60)
    monkeypatch.setitem(schedules._declared, extra.name, extra)
    sync()
    interval = IntervalSchedule.objects.get(every=60, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="made by hand", task="campaign.tasks.y", interval=interval)
    monkeypatch.delitem(schedules._declared, extra.name)
    sync()
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert "old report" not in names
    assert "made by hand" in names


def test_the_nightly_task_queues_a_run_per_top_unit(tree, django_capture_on_commit_callbacks):
    from campaign.tasks import org_statistics_nightly_task
    from core.models import JobRun

    with django_capture_on_commit_callbacks(execute=False):
        org_statistics_nightly_task.run()
    run = JobRun.objects.get()
    assert (run.unit, run.requested_by) == (tree.city, None)
