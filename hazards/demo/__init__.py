"""Synthetic hazards: the Nantong demo register (``seed_demo``) and millions for ``seed_scale``.

The demo register is written as the closed loop would have written it: every hazard's story
(registered, plan, rectification, acceptance) is walked forward from the day it was found with
realistic delays and stops at the moment ``seed_demo`` runs, so the status always matches its
events. The register is dated relative to that day (found over the last ~120 days), so that
overdue, "due soon", the year-end target and the zero-data list look alive whenever the demo is
loaded; the org tree itself stays "Nantong as in December 2019". Rows go in with
``bulk_create`` (COPY for the scale data): the services would take minutes for thousands of
hazards and do not let a story be back-dated.
"""

from hazards.demo.register import (
    DEMO_DAYS,
    DEMO_TOTAL,
    DEMO_YEAR,
    DUE_SOON_DAYS,
    seed_demo_hazards,
)
from hazards.demo.scale import (
    scale_hazards,
    scale_hazards_reset,
)

__all__ = [
    "DEMO_DAYS",
    "DEMO_TOTAL",
    "DEMO_YEAR",
    "DUE_SOON_DAYS",
    "scale_hazards",
    "scale_hazards_reset",
    "seed_demo_hazards",
]
