"""Job runs, worker heartbeats, the audit log and notifications moved to the ``core`` app.

Only Django's idea of which app owns them changes: the tables keep their names and their rows
(``core.0001_initial`` takes them over with ``db_table``).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaign", "0004_user_email_digest"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="JobRun"),
                migrations.DeleteModel(name="WorkerHeartbeat"),
                migrations.DeleteModel(name="AuditEntry"),
                migrations.DeleteModel(name="Notification"),
            ],
            database_operations=[],
        ),
    ]
