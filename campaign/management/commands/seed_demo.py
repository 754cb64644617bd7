"""manage.py seed_demo: the Nantong demo of December 2019 (safe to run again)."""

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from campaign import demo, seeding


class Command(BaseCommand):
    help = (
        "Load the Nantong demo as of December 2019: 南通市, its ten county-level units, about "
        "1,200 synthetic schools plus city-direct schools, and the demo users (password "
        f"{demo.DEMO_PASSWORD}). Safe to run again: what exists is kept, nothing is duplicated. "
        "Also syncs the Celery beat schedules when the sync_schedules command exists."
    )

    def handle(self, *args, **options):
        result = demo.seed_demo()
        summaries = [ext.demo(result.city) for ext in seeding.extensions if ext.demo]
        if "sync_schedules" in get_commands():
            call_command("sync_schedules", verbosity=options["verbosity"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {result.city.name}, {result.counties} county-level units, "
                f"{result.schools} schools ({result.schools_created} created now), "
                f"{len(result.logins)} demo users ({result.users_created} created now)."
            )
        )
        for line in filter(None, summaries):
            self.stdout.write(line)
        self.stdout.write(f"Demo logins (password {demo.DEMO_PASSWORD}):")
        for username, full_name, role, unit in result.logins:
            self.stdout.write(f"  {username:<10} {full_name}  {role} · {unit}")
