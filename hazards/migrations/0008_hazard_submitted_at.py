"""When each hazard was last submitted for acceptance: a field the submit service sets, filled
here from the latest submit event of every hazard that has one."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

AWAITING = "awaiting_acceptance"


def fill(apps, schema_editor):
    Hazard = apps.get_model("hazards", "Hazard")
    HazardEvent = apps.get_model("hazards", "HazardEvent")
    latest = (
        HazardEvent.objects.filter(hazard=OuterRef("pk"), kind="transition", to_status=AWAITING)
        .order_by("-at", "-id")
        .values("at")[:1]
    )
    submitted = HazardEvent.objects.filter(kind="transition", to_status=AWAITING)
    Hazard.objects.filter(pk__in=submitted.values("hazard_id")).update(
        submitted_at=Subquery(latest)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0007_repair_control_characters"),
    ]

    operations = [
        migrations.AddField(
            model_name="hazard",
            name="submitted_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="submitted for acceptance"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
