"""Give every existing job run the scope it was always shown under: the unit it is filed under.

Before scopes were recorded, a run was visible to whoever saw its unit; from now on a run is
visible to whoever covers its recorded scope (docs/decisions.md), so each old run's scope is
its unit. Old failed runs get the generic reason.
"""

from django.db import migrations

BATCH = 2000


def scope_from_unit(apps, schema_editor):
    JobRun = apps.get_model("core", "JobRun")
    JobRunScope = apps.get_model("core", "JobRunScope")
    done = set(JobRunScope.objects.values_list("run_id", flat=True))
    rows = []
    for run_id, unit_id in JobRun.objects.values_list("id", "unit_id").iterator(chunk_size=BATCH):
        if run_id not in done:
            rows.append(JobRunScope(run_id=run_id, unit_id=unit_id))
        if len(rows) >= BATCH:
            JobRunScope.objects.bulk_create(rows)
            rows = []
    JobRunScope.objects.bulk_create(rows)
    JobRun.objects.filter(state="failed", reason="").update(reason="error")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_jobrunscope_reason")]

    operations = [migrations.RunPython(scope_from_unit, migrations.RunPython.noop)]
