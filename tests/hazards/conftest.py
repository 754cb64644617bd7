"""Shared helpers for the hazard register's tests.

``make_hazard(**overrides)`` registers a hazard through ``hazards.services.hazard_register``
(as the school officer at 通州区实验小学 by default); ``make_planned_hazard(**overrides)``
does the same with the five implementations filled, so the hazard is ``planned``.
``png_bytes()`` / ``png_upload(name)`` give a tiny valid PNG for evidence uploads.
``local(day, hour)`` is a moment of that day in the portal's time zone, for time-machine: the
tests that depend on the date stand the clock on a fixed day, so they run the same every day.
"""

import base64
import datetime as dt
import importlib
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hazards import services
from hazards.models import Hazard, HazardCategory

# A 1×1 transparent PNG.
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def local(day, hour=9):
    """``day`` at ``hour`` o'clock in Asia/Shanghai (settings.TIME_ZONE)."""
    return dt.datetime.combine(day, dt.time(hour), ZoneInfo("Asia/Shanghai"))


def png_bytes():
    return PNG_1X1


def png_upload(name="photo.png"):
    return SimpleUploadedFile(name, PNG_1X1, content_type="image/png")


def five_implementations(**overrides):
    """Keyword arguments that complete all five implementations (deadline left to default)."""
    values = {
        "responsible_unit": "总务处",
        "responsible_person": "王主任",
        "responsible_phone": "13900000000",
        "measures": "更换消防栓阀门并试水",
        "funds_amount": Decimal("1200.00"),
        "funds_source": "学校公用经费",
        "funds_secured": True,
        "contingency_plan": "整改期间设置警示标志，配备灭火器",
    }
    values.update(overrides)
    return values


def seeded_category(code="fire-hydrant"):
    """A category seeded by hazards/migrations/0002. Transactional tests (the browser ones)
    flush the migration's rows, so seed them again when they are gone."""
    category = HazardCategory.objects.filter(code=code).first()
    if category is None:
        importlib.import_module("hazards.migrations.0002_seed_categories").seed(apps, None)
        category = HazardCategory.objects.get(code=code)
    return category


@pytest.fixture
def hazard_category(db):
    """A seeded category item (消防安全 · 消防栓无水)."""
    return seeded_category()


@pytest.fixture
def make_hazard(tree, school_officer, hazard_category):
    """make_hazard(**overrides) -> a registered (status ``reported``) hazard."""

    def make(**overrides):
        kwargs = {
            "school": tree.tz_school,
            "category": hazard_category,
            "level": Hazard.Level.GENERAL,
            "source": Hazard.Source.SELF_CHECK,
            "location": "教学楼一楼东侧",
            "description": "消防栓打开无水",
            "found_on": timezone.localdate() - dt.timedelta(days=1),
            "actor": school_officer,
        }
        kwargs.update(overrides)
        return services.hazard_register(**kwargs)

    return make


@pytest.fixture
def make_planned_hazard(make_hazard):
    """make_planned_hazard(**overrides) -> a hazard with the five implementations (``planned``)."""

    def make(**overrides):
        five = five_implementations()
        five.update(overrides)
        return make_hazard(**five)

    return make
