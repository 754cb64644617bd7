"""The hazard register's part of seed_demo and seed_scale (registered in HazardsConfig.ready)."""

from campaign.seeding import SeedExtension


def _demo(city):
    from hazards import demo
    from hazards.services import hazard_tally_rebuild

    created = demo.seed_demo_hazards(city=city)
    hazard_tally_rebuild()  # the demo register is bulk-loaded past the services
    return f"Demo hazard register: {created} hazards created." if created else ""


def _add_arguments(parser):
    parser.add_argument(
        "--hazards", type=int, default=0, help="Hazards to add to the tree (COPY on PostgreSQL)."
    )


def _scale(root, options, log):
    from hazards import demo
    from hazards.services import hazard_tally_rebuild

    count = demo.scale_hazards(root=root, count=options.get("hazards") or 0, log=log)
    hazard_tally_rebuild()
    log("rebuilt the hazard tally")
    return f"{count} hazards"


def _scale_reset(prefix, log):
    from hazards import demo

    if demo.scale_hazards_reset(prefix=prefix):
        log(f"removed the hazards of the earlier {prefix} tree")


extension = SeedExtension(
    name="hazards",
    demo=_demo,
    add_arguments=_add_arguments,
    scale=_scale,
    scale_reset=_scale_reset,
)
