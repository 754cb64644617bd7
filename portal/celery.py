"""The portal's Celery app: one app for every worker and for beat."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _beat_on_start(**kwargs):
    # A worker that just started counts as alive at once, before beat's first heartbeat.
    from core.services import worker_heartbeat_record

    worker_heartbeat_record(hostname=kwargs["sender"].hostname)
