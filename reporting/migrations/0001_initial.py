# The reporting app's first migration: its models follow in the next ones.

from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("campaign", "0009_reporting_permissions"),
        ("core", "0009_import_rows"),
        ("hazards", "0009_hazard_ledger_ref"),
        ("inspections", "0001_initial"),
    ]

    operations = []
