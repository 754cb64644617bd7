"""Make the stored rows follow the loop's rules before 0006 makes them constraints.

1. A registered hazard whose five implementations are in fact complete is planned: the status
   follows the data. Each one gets the event of that step (by the system, with a note), and
   a registered hazard flagged complete whose fields are not is flagged incomplete.
2. An open hazard carries no acceptance.
3. A closed hazard says at which level and with what opinion it was accepted: the level from
   the acceptor's grants (the highest covering the school that the grade allows), else the
   lowest level the rule allowed when it was accepted (the city for major hazards and
   city-direct schools, the county otherwise); the opinion from the note of the acceptance's
   event, else a note that none was asked for then.
4. The per-county tally is counted again from the register.

The five-implementations test is written out here as it stands today (a migration must not
import code that will change).
"""

from django.db import migrations
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

BATCH = 1000
PLANNED_NOTE = "五落实已全部到位，系统按已登记的内容将状态更正为“已制定方案”。"
NO_OPINION = "（该隐患验收时系统尚未要求填写验收意见。）"
RANK = {"county": 1, "city": 2, "province": 3}
FIELDS = (
    "id",
    "five_complete",
    "responsible_unit",
    "responsible_person",
    "responsible_phone",
    "measures",
    "funds_amount",
    "funds_source",
    "funds_secured",
    "deadline",
    "contingency_plan",
)


def _complete(row, *, has_plan_file):
    return bool(
        row["responsible_unit"]
        and row["responsible_person"]
        and row["responsible_phone"]
        and row["measures"].strip()
        and row["funds_amount"] is not None
        and row["funds_secured"] is not None
        and row["funds_source"]
        and row["deadline"] is not None
        and (row["contingency_plan"].strip() or has_plan_file)
    )


def _chunks(ids):
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def plan_complete_hazards(apps):
    Hazard = apps.get_model("hazards", "Hazard")
    HazardEvent = apps.get_model("hazards", "HazardEvent")
    Evidence = apps.get_model("hazards", "Evidence")
    reported = Hazard.objects.filter(status="reported")
    with_plan_file = set(
        Evidence.objects.filter(kind="plan", hazard__status="reported").values_list(
            "hazard_id", flat=True
        )
    )
    to_plan, to_unflag = [], []
    for row in reported.values(*FIELDS).iterator(chunk_size=BATCH):
        if _complete(row, has_plan_file=row["id"] in with_plan_file):
            to_plan.append(row["id"])
        elif row["five_complete"]:
            to_unflag.append(row["id"])
    now = timezone.now()
    for chunk in _chunks(to_plan):
        Hazard.objects.filter(pk__in=chunk).update(
            status="planned", five_complete=True, updated_at=now
        )
        HazardEvent.objects.bulk_create(
            HazardEvent(
                hazard_id=pk,
                kind="transition",
                actor=None,
                at=now,
                from_status="reported",
                to_status="planned",
                note=PLANNED_NOTE,
                changes={},
            )
            for pk in chunk
        )
    for chunk in _chunks(to_unflag):
        Hazard.objects.filter(pk__in=chunk).update(five_complete=False)


def clear_open_acceptances(apps):
    Hazard = apps.get_model("hazards", "Hazard")
    Hazard.objects.exclude(status="closed").filter(
        Q(closed_at__isnull=False) | Q(accepted_by__isnull=False)
    ).update(closed_at=None, accepted_by=None, accepted_level="", acceptance_opinion="")


def record_acceptances(apps):
    Hazard = apps.get_model("hazards", "Hazard")
    HazardEvent = apps.get_model("hazards", "HazardEvent")
    Grant = apps.get_model("campaign", "OrgUnitUserPermission")
    closed = Hazard.objects.filter(status="closed")
    # The lowest level the rule allowed.
    closed.filter(Q(level="major") | Q(county__isnull=True)).update(accepted_level="city")
    closed.filter(level="general", county__isnull=False).update(accepted_level="county")
    # The acceptor's own level where their grants still say it, lowest first so that the
    # highest qualifying one is what stays.
    acceptors = closed.filter(accepted_by__isnull=False).values("accepted_by_id").distinct()
    grants = sorted(
        Grant.objects.filter(
            permission__codename="accept_hazard",
            user_id__in=acceptors,
            content_object__kind__in=list(RANK),
        ).values_list("user_id", "content_object__path", "content_object__kind"),
        key=lambda g: RANK[g[2]],
    )
    for user_id, path, kind in grants:
        mine = closed.filter(accepted_by_id=user_id, school__path__startswith=path)
        if kind == "county":
            mine = mine.filter(level="general")
        mine.update(accepted_level=kind)
    opinion = (
        HazardEvent.objects.filter(hazard=OuterRef("pk"), kind="transition", to_status="closed")
        .order_by("-at", "-id")
        .values("note")[:1]
    )
    closed.filter(acceptance_opinion="").update(
        acceptance_opinion=Coalesce(NullIf(Subquery(opinion), Value("")), Value(NO_OPINION))
    )


def rebuild_tally(apps):
    Hazard = apps.get_model("hazards", "Hazard")
    HazardTally = apps.get_model("hazards", "HazardTally")
    HazardTally.objects.all().delete()
    rows = (
        Hazard.objects.order_by()
        .values("county_id", "city_id", "status", "five_complete")
        .annotate(n=Count("id"))
    )
    HazardTally.objects.bulk_create(
        HazardTally(
            area_id=row["county_id"] or row["city_id"],
            city_id=row["city_id"],
            status=row["status"],
            five_complete=row["five_complete"],
            count=row["n"],
        )
        for row in rows
    )


def forwards(apps, schema_editor):
    plan_complete_hazards(apps)
    clear_open_acceptances(apps)
    record_acceptances(apps)
    rebuild_tally(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("campaign", "0006_rolegrant_role_choices"),
        ("hazards", "0004_acceptance_record"),
    ]

    # Nothing to undo: the rows stay valid without 0006's constraints.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
