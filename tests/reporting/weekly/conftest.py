"""The hazard register's fixtures, for the tests whose figures come from it."""

from tests.hazards.conftest import hazard_category, make_hazard  # noqa: F401
