"""Make django-celery-beat's periodic tasks match the schedules declared in code."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from core import schedules


def _schedule_fields(schedule):
    if schedule.every_seconds is not None:
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=schedule.every_seconds, period=IntervalSchedule.SECONDS
        )
        return {"interval": interval, "crontab": None}
    minute, hour, day_of_month, month_of_year, day_of_week = schedule.crontab.split()
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        day_of_week=day_of_week,
        timezone=settings.TIME_ZONE,
    )
    return {"interval": None, "crontab": crontab}


class Command(BaseCommand):
    help = "Create or update the periodic tasks declared in code (core.schedules) (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        wanted = schedules.declared()
        created = updated = 0
        for schedule in wanted:
            fields = {
                "task": schedule.task,
                "expire_seconds": schedule.expire_seconds,
                "description": schedules.DECLARED,
                **_schedule_fields(schedule),
            }
            row = PeriodicTask.objects.filter(name=schedule.name).first()
            if row is None:
                PeriodicTask.objects.create(name=schedule.name, enabled=True, **fields)
                created += 1
                continue
            changed = [f for f, v in fields.items() if getattr(row, f) != v]
            if changed:
                # Only a real change is saved: every save makes beat reload its schedule.
                for f in changed:
                    setattr(row, f, fields[f])
                row.save()
                updated += 1
        ours = (schedules.DECLARED, *schedules.DECLARED_BEFORE)
        stale = PeriodicTask.objects.filter(description__in=ours).exclude(
            name__in=[s.name for s in wanted]
        )
        removed = 0
        for row in stale:
            row.delete()
            removed += 1
        self.stdout.write(
            f"Schedules: {len(wanted)} declared, {created} created, {updated} updated, "
            f"{removed} removed."
        )
