"""How the action plan plugs into the registries (called from ``CampaignConfig.ready``): its
notice on issue and its part of the demo."""


def ready():
    from campaign.plan import demo, services
    from campaign.seeding import SeedExtension, register

    services.register_notices()
    register(SeedExtension(name="action-plan", demo=demo.seed))
