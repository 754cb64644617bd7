"""Job runs, worker heartbeats, the audit log and notifications, taken over from ``campaign``.

The tables exist already (``campaign.0001``/``0002``/``0003``): this migration only tells Django
that core owns them now, with the same table names; no row moves.
"""

import core.models
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ("jobrun", "workerheartbeat", "auditentry", "notification")


def move_content_types(apps, schema_editor):
    """Keep the content types (and so the permissions and admin history) of the moved models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="core", model__in=MOVED).exists():
        ContentType.objects.filter(app_label="campaign", model__in=MOVED).update(app_label="core")


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="core", model__in=MOVED).update(app_label="campaign")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('campaign', '0005_move_jobs_notifications_audit_to_core'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='WorkerHeartbeat',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('hostname', models.CharField(max_length=200, unique=True)),
                        ('seen_at', models.DateTimeField()),
                    ],
                    options={
                        'db_table': 'campaign_workerheartbeat',
                    },
                ),
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(max_length=40)),
                        ('detail', models.JSONField(default=dict)),
                        ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('target_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('unit', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='campaign.orgunit')),
                    ],
                    options={
                        'db_table': 'campaign_auditentry',
                        'ordering': ['-at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='JobRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=40, verbose_name='kind')),
                        ('period', models.CharField(help_text='What the run covers, e.g. 2019-W50 or 2019-12; unique per kind and unit.', max_length=40, verbose_name='period')),
                        ('state', models.CharField(choices=[('queued', 'queued'), ('running', 'running'), ('succeeded', 'succeeded'), ('failed', 'failed')], default='queued', max_length=10, verbose_name='state')),
                        ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='progress')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('params', models.JSONField(blank=True, default=dict)),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('file', models.FileField(blank=True, max_length=255, upload_to=core.models.job_file_path, verbose_name='produced file')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='job_runs', to='campaign.orgunit')),
                    ],
                    options={
                        'verbose_name': 'job run',
                        'verbose_name_plural': 'job runs',
                        'db_table': 'campaign_jobrun',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['unit', '-created_at'], name='jobrun_unit_recent')],
                        'constraints': [models.UniqueConstraint(fields=('kind', 'unit', 'period'), name='jobrun_once'), models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='jobrun_progress_0_100')],
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=40)),
                        ('text', models.CharField(max_length=300)),
                        ('link', models.CharField(blank=True, max_length=200)),
                        ('dedupe_key', models.CharField(blank=True, max_length=120)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('read_at', models.DateTimeField(blank=True, null=True)),
                        ('emailed_at', models.DateTimeField(blank=True, null=True)),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                        ('unit', models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaign.orgunit')),
                    ],
                    options={
                        'db_table': 'campaign_notification',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['recipient', 'read_at'], name='notification_unread')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('dedupe_key', ''), _negated=True), fields=('recipient', 'dedupe_key'), name='notification_once')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
