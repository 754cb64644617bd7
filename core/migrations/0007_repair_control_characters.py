"""Drop the control characters (core.text) stored in notifications' text by older versions."""

from django.db import migrations

from core.text import repair_model_text


def repair(apps, schema_editor):
    repair_model_text(apps.get_model("core", "Notification"), ("text",))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_jobrun_result"),
    ]

    operations = [
        migrations.RunPython(repair, migrations.RunPython.noop),
    ]
