"""Celery's autodiscovery imports ``<app>.tasks`` only: the reporting parts keep their tasks
beside their code, so they are all imported here for the worker and beat to know them."""

from reporting.monthly.tasks import *  # noqa: F403
from reporting.weekly.oversight.tasks import *  # noqa: F403
from reporting.weekly.tasks import *  # noqa: F403
