"""The reporting app's models, one module per reporting system."""

from reporting.models.briefings import *  # noqa: F403
from reporting.models.calendar import *  # noqa: F403
from reporting.models.monthly import *  # noqa: F403
from reporting.models.weekly import *  # noqa: F403
