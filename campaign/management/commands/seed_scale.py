"""manage.py seed_scale: a province-sized tree and its users, for load and benchmark runs."""

import time

from django.core.management.base import BaseCommand, CommandError

from campaign import demo, seeding


class Command(BaseCommand):
    help = (
        "Build a province-sized tree under a code prefix (default JS): 江苏省 → cities → "
        "county-level units → schools (a few city-direct), and users with role grants (one "
        "school safety officer per school first, then county and city staff, inspectors and "
        "leaders, then further officers), all with bulk inserts. Usernames are <prefix>-000001…, "
        f"password {demo.DEMO_PASSWORD}. It refuses to run twice for the same prefix: use "
        "--reset to remove that tree and its users and build it again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cities", type=int, default=13)
        parser.add_argument("--counties", type=int, default=95)
        parser.add_argument("--schools", type=int, default=15600)
        parser.add_argument("--users", type=int, default=50000)
        parser.add_argument(
            "--prefix", default="JS", help="Code of the root unit and prefix of every code."
        )
        for extension in seeding.extensions:
            if extension.add_arguments:
                extension.add_arguments(parser)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Remove the tree and users an earlier run built under this prefix first.",
        )

    def handle(self, *args, **options):
        start = time.monotonic()
        verbose = options["verbosity"] > 1
        prefix = options["prefix"].upper()

        def log(message):
            if verbose:
                self.stdout.write(f"[{time.monotonic() - start:6.1f}s] {message}")

        try:
            if options["reset"]:
                for extension in seeding.extensions:
                    if extension.scale_reset:
                        extension.scale_reset(prefix, log)
            if options["reset"] and demo.scale_reset(prefix=prefix):
                log(f"removed the earlier {prefix} tree")
            result = demo.seed_scale(
                prefix=prefix,
                cities=options["cities"],
                counties=options["counties"],
                schools=options["schools"],
                users=options["users"],
                log=log,
            )
            extras = [
                extension.scale(result.root, options, log)
                for extension in seeding.extensions
                if extension.scale
            ]
        except demo.SeedError as exc:
            raise CommandError(str(exc)) from None
        units = result.units
        self.stdout.write(
            self.style.SUCCESS(
                f"Built {result.root.name} ({result.root.code}): {units['city']} cities, "
                f"{units['county']} county-level units, {units['school']} schools, "
                f"{result.users} users, {result.grants} role grants, "
                f"{result.permissions} unit permissions"
                + "".join(f", {extra}" for extra in extras)
                + f" in {time.monotonic() - start:.1f}s."
            )
        )
