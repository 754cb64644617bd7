"""How the monthly part plugs into the registries below it (called from ReportingConfig.ready)."""


def ready():
    pass
