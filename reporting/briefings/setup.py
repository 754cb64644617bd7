"""How the briefings part plugs into the registries below it (called from ReportingConfig.ready)."""


def ready():
    from django.utils.translation import gettext_lazy as _

    from campaign.roles import Perm
    from campaign.seeding import SeedExtension
    from campaign.seeding import register as add_to_seeding
    from core import jobs
    from reporting.briefings import content, demo, governance, sections, services, supervision

    # seed_demo's published issues (after the weekly reports and monthly uploads they cite).
    add_to_seeding(SeedExtension(name="briefings", demo=demo.demo))

    jobs.register(
        services.PUBLISH_JOB,
        _("Publish a briefing"),
        services.briefing_publish_job,
        perm=Perm.MANAGE_BRIEFINGS,
        describe=services._describe,
    )
    services.register_notices()
    # Order 25 is kept for the monthly part's "monthly_upload" section (upload status per
    # county), which reporting/monthly registers with sections.register when it is added.
    sections.register(
        "county_progress",
        _("Progress by county"),
        content.county_progress,
        "reporting/briefings/section_county_progress.html",
        order=10,
    )
    sections.register(
        "weekly_rates",
        _("Weekly reporting"),
        content.weekly_rates,
        "reporting/briefings/section_weekly_rates.html",
        order=20,
    )
    sections.register(
        "inspection_results",
        _("Inspection results"),
        supervision.inspection_results,
        "reporting/briefings/section_inspection_results.html",
        order=28,
    )
    sections.register(
        "circulars",
        _("Inspections and circulars"),
        content.circulars,
        "reporting/briefings/section_circulars.html",
        order=30,
    )
    sections.register(
        "incidents",
        _("Student casualty incidents"),
        governance.incidents,
        "reporting/briefings/section_incidents.html",
        order=50,
    )
    sections.register(
        "absent_without_leave",
        _("Absent without leave"),
        governance.absent_without_leave,
        "reporting/briefings/section_absent.html",
        order=55,
    )
    sections.register(
        "directives",
        _("Directive progress"),
        governance.directives,
        "reporting/briefings/section_directives.html",
        order=52,
    )
    sections.register(
        "key_supervision",
        _("Key supervision"),
        supervision.key_supervision,
        "reporting/briefings/section_key_supervision.html",
        order=40,
    )
