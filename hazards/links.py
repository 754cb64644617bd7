"""Links other apps add to a hazard's page, without ``hazards`` importing them.

An app above ``hazards`` (the inspections: "found at the visit …", "re-checked at …") registers
``fn(hazard, user) -> [(label, url), …]`` from its ``AppConfig.ready``; the hazard page shows
whatever the functions return for this user. A function decides itself what the user may see:
it returns nothing rather than a link to a page the user could not open.
"""

_providers = []


def register(fn):
    """Add a link provider (registering the same function twice is harmless)."""
    if fn not in _providers:
        _providers.append(fn)
    return fn


def links_for(hazard, user):
    links = []
    for fn in _providers:
        links.extend(fn(hazard, user) or ())
    return links
