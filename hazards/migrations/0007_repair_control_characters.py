"""Drop the control characters (core.text) that older versions let into the register: stored,
they made every later Excel export of the row fail, for everyone who exported it."""

from django.db import migrations

from core.text import repair_model_text

FIELDS = {
    "Hazard": (
        "location",
        "description",
        "responsible_unit",
        "responsible_person",
        "responsible_phone",
        "measures",
        "funds_source",
        "contingency_plan",
        "provincial_ref",
        "acceptance_opinion",
    ),
    "HazardEvent": ("note",),
    "Evidence": ("original_name",),
    "HazardCategory": ("name",),
}


def repair(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        repair_model_text(apps.get_model("hazards", model_name), fields)


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0006_loop_constraints"),
    ]

    operations = [
        migrations.RunPython(repair, migrations.RunPython.noop),
    ]
