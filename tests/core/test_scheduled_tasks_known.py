"""Every periodic task that beat sends is one the worker knows: a task kept beside its code
(campaign/directives/tasks.py…) is only registered if its app's ``tasks`` module imports it,
and beat would otherwise send a name the worker rejects."""

from core.schedules import declared
from portal.celery import app


def test_every_declared_schedule_names_a_registered_task():
    app.loader.import_default_modules()
    unknown = sorted(s.task for s in declared() if s.task not in app.tasks)
    assert not unknown, f"beat would send tasks no worker knows: {unknown}"
