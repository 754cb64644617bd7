"""Seed the campaign's hazard areas and the S9 checklist items as the editable taxonomy."""

from django.db import migrations

from hazards import taxonomy


def seed(apps, schema_editor):
    # The data lives in hazards.taxonomy so that tests can put it back after a flush.
    taxonomy.seed(apps.get_model("hazards", "HazardCategory"))


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
