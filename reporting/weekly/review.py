"""Reviewing weekly reports: the county accepts or returns its schools' reports, the city its
counties' (and its city-direct schools'); receiving a county report locks the school reports
under it.

``panel(user, report)`` is the context of the review panel shown on the report page
(templates/reporting/weekly/_review_panel.html): what the user may do with this report there.
"""


def panel(user, report) -> dict:
    """The review panel's context for ``user`` on ``report`` (empty: nothing to show)."""
    return {}
