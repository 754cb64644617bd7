"""How the weekly oversight part (rates, reminders, the city summary) plugs into the registries
below it (called from ReportingConfig.ready)."""


def ready():
    pass
