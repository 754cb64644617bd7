"""Drop the control characters (core.text) that older versions let into the organisation tree,
people and meeting records: stored, they broke every Excel file that showed them."""

from django.db import migrations

from core.text import repair_model_text

FIELDS = {
    "OrgUnit": (
        "name",
        "address",
        "principal_name",
        "principal_phone",
        "safety_officer_name",
        "safety_officer_phone",
    ),
    "User": ("full_name", "phone"),
    "Meeting": ("title", "attendees", "opinions", "measures", "responsible_department"),
}


def repair(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        repair_model_text(apps.get_model("campaign", model_name), fields)


class Migration(migrations.Migration):
    dependencies = [
        ("campaign", "0006_rolegrant_role_choices"),
    ]

    operations = [
        migrations.RunPython(repair, migrations.RunPython.noop),
    ]
