"""How the calendar part plugs into the registries below it (called from ReportingConfig.ready)."""


def ready():
    from reporting.calendar import campaign_dates, run_now, workbench

    # The weekly reports register their own source (reporting/weekly/setup.py).
    campaign_dates.register()
    workbench.register()
    run_now.register()
