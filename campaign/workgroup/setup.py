"""How the working groups plug into the registries (called from ``CampaignConfig.ready``)."""


def ready():
    from campaign.seeding import SeedExtension, register
    from campaign.workgroup.demo import seed_demo_workgroups

    register(
        SeedExtension(name="working-groups", demo=lambda city: seed_demo_workgroups(city=city))
    )
