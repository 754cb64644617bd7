"""Incidents made for tests: through the service (``report``) or, for the access matrix,
directly with fixed times so that a page reads the same on every walk (``fixed``)."""

import datetime as dt

from campaign.incidents import services
from campaign.models import Incident

TZ = dt.timezone(dt.timedelta(hours=8))
LEARNED = dt.datetime(2019, 12, 7, 18, 0, tzinfo=TZ)


def report(
    unit,
    actor,
    *,
    learned=LEARNED,
    after=dt.timedelta(minutes=30),
    deaths=0,
    serious=0,
    minor=1,
    on_campus=False,
    category="drowning",
):
    return services.incident_report(
        unit=unit,
        occurred_at=learned - dt.timedelta(minutes=20),
        learned_at=learned,
        place="校外河塘",
        on_campus=on_campus,
        category=category,
        description="一名学生落水。",
        deaths=deaths,
        serious_injuries=serious,
        minor_injuries=minor,
        handling="已送医。",
        actor=actor,
        now=learned + after,
    )


def fixed(unit, county, city, marker):
    """An open incident of a school, at the county, not yet passed to the city (late now)."""
    reported = LEARNED + dt.timedelta(minutes=30)
    incident, _ = Incident.objects.get_or_create(
        place=marker,
        defaults={
            "unit": unit,
            "county": county,
            "city": city,
            "occurred_at": LEARNED - dt.timedelta(minutes=20),
            "learned_at": LEARNED,
            "on_campus": False,
            "category": Incident.Category.DROWNING,
            "description": "一名学生落水。",
            "minor_injuries": 1,
            "handling": "已送医。",
            "reported_at": reported,
            "reported_to_county_at": reported,
            "limit_minutes": 1440,
            "county_due_at": LEARNED + dt.timedelta(days=1),
            "city_due_at": reported + dt.timedelta(days=1),
        },
    )
    return incident
