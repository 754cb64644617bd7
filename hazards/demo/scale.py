"""Millions of hazards for ``seed_scale`` and the benchmark (COPY on PostgreSQL)."""

import datetime as dt
import random
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from campaign.demo import SEED, insert_rows
from campaign.models import OrgUnit
from hazards.demo.register import DEMO_YEAR, _local
from hazards.models import Hazard, HazardCategory, HazardCodeCounter

Status = Hazard.Status
Level = Hazard.Level
Source = Hazard.Source


# --- Millions of hazards for the benchmark -----------------------------------------------

SCALE_COLUMNS = [
    "code",
    "school_id",
    "county_id",
    "city_id",
    "status",
    "level",
    "category_id",
    "source",
    "location",
    "description",
    "found_on",
    "responsible_unit",
    "responsible_person",
    "responsible_phone",
    "measures",
    "funds_amount",
    "funds_source",
    "funds_secured",
    "deadline",
    "contingency_plan",
    "five_complete",
    "provincial_ref",
    "uploaded_month",
    "accepted_level",
    "acceptance_opinion",
    "closed_at",
    "submitted_at",
    "created_at",
    "updated_at",
]
# status → weight; the older a hazard, the likelier it is closed is not modelled here.
SCALE_STATUS = {
    Status.CLOSED: 55,
    Status.RECTIFYING: 18,
    Status.AWAITING_ACCEPTANCE: 8,
    Status.PLANNED: 11,
    Status.REPORTED: 8,
}


ACCEPT_OPINION = "经现场复查，整改到位，同意销号。"


def _accepted_level(major, county_id):
    """Major hazards and city-direct schools are accepted by the city, the rest by the county."""
    if major or county_id is None:
        return Hazard.AcceptanceLevel.CITY.value
    return Hazard.AcceptanceLevel.COUNTY.value


def scale_hazards_reset(*, prefix):
    """Remove the hazards (and their events) of the tree ``seed_scale`` built under ``prefix``."""
    root = OrgUnit.objects.filter(code=prefix, parent__isnull=True).first()
    if root is None:
        return 0
    cities = list(OrgUnit.objects.filter(parent=root).values_list("pk", flat=True))
    removed = 0
    if connection.vendor == "postgresql" and cities:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM hazards_hazardevent WHERE hazard_id IN "
                "(SELECT id FROM hazards_hazard WHERE city_id = ANY(%s))",
                [cities],
            )
            cursor.execute("DELETE FROM hazards_hazard WHERE city_id = ANY(%s)", [cities])
            removed = cursor.rowcount
    elif cities:
        removed, _ = Hazard.objects.filter(city_id__in=cities).delete()
    HazardCodeCounter.objects.filter(
        Q(prefix__in=OrgUnit.objects.filter(parent=root).values("code"))
    ).delete()
    return removed


def scale_hazards(*, root, count, year=DEMO_YEAR, log=None):
    """``count`` hazards spread over the schools under ``root`` (COPY on PostgreSQL).

    Denormalised keys come from each school's path (root/city[/county]/school); hazards not
    registered have their five implementations, the registered ones do not, and closed ones
    carry their acceptance (the table's check constraints).
    """
    log = log or (lambda message: None)
    if count <= 0:
        return 0
    rng = random.Random(f"{SEED}-scale-hazards-{root.code}")
    schools = []
    city_codes = dict(
        OrgUnit.objects.filter(parent=root, kind=OrgUnit.Kind.CITY).values_list("pk", "code")
    )
    for pk, path in OrgUnit.objects.filter(
        path__startswith=root.path, kind=OrgUnit.Kind.SCHOOL
    ).values_list("pk", "path"):
        ids = [int(p) for p in path.strip("/").split("/")]
        schools.append((pk, ids[2] if len(ids) == 4 else None, ids[1]))
    cats = list(HazardCategory.objects.values_list("pk", "days_general", "days_major"))
    if not schools or not cats:
        return 0
    statuses = list(SCALE_STATUS)
    status_weights = list(SCALE_STATUS.values())
    counters = dict.fromkeys(city_codes, 0)
    start = dt.date(year, 3, 1)
    now = timezone.now()
    closed_after = dt.timedelta(days=12)
    five_text = ("总务处", "王主任", "13900000000", "限期整改到位并复查", Decimal(1000))
    plan = "整改期间设置警示标志，专人值守"
    picks = rng.choices(range(len(schools)), k=count)

    def rows():
        for n, s in enumerate(picks, 1):
            school_id, county_id, city_id = schools[s]
            counters[city_id] += 1
            cat_id, days_general, days_major = cats[n % len(cats)]
            major = n % 33 == 0
            found_on = start + dt.timedelta(days=rng.randrange(290))
            status = rng.choices(statuses, status_weights)[0]
            # The status follows the data: registered exactly while the five are incomplete.
            five = status != Status.REPORTED
            closed = status == Status.CLOSED
            unit, person, phone, measures, funds = five_text if five else ("", "", "", "", None)
            yield (
                f"{city_codes[city_id]}-{year}-{counters[city_id]:06d}",
                school_id,
                county_id,
                city_id,
                status,
                Level.MAJOR if major else Level.GENERAL,
                cat_id,
                Source.SELF_CHECK if n % 3 else Source.COUNTY_CHECK,
                "教学楼一楼走廊",
                f"批量生成的隐患 {n}",
                found_on,
                unit,
                person,
                phone,
                measures,
                funds,
                "学校公用经费" if five else "",
                True if five else None,
                found_on + dt.timedelta(days=days_major if major else days_general),
                plan if five else "",
                five,
                f"JSXA{year}{n:08d}" if n % 4 == 0 else "",
                dt.date(year, found_on.month, 1) if n % 4 == 0 else None,
                _accepted_level(major, county_id) if closed else "",
                ACCEPT_OPINION if closed else "",
                _local(dt.datetime.combine(found_on + closed_after, dt.time(10)))
                if closed
                else None,
                # awaiting acceptance since a week after it was found: the awaiting list's order
                _local(dt.datetime.combine(found_on + dt.timedelta(days=7), dt.time(9)))
                if status == Status.AWAITING_ACCEPTANCE
                else None,
                now,
                now,
            )
            if n % 200000 == 0:
                log(f"{n} hazards generated")

    with transaction.atomic():
        insert_rows(Hazard, SCALE_COLUMNS, rows())
        for city_id, last in counters.items():
            if last:
                HazardCodeCounter.objects.update_or_create(
                    prefix=city_codes[city_id], year=year, defaults={"last": last}
                )
    log(f"{count} hazards inserted")
    return count
