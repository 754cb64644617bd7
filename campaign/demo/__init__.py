"""Synthetic data: the Nantong demo (``seed_demo``) and a province-sized tree (``seed_scale``).

Everything is drawn from ``random.Random`` with a fixed seed, so a run always produces the same
names, numbers and codes; that is what lets ``seed_demo`` run again without changing anything.
Units are written with ``bulk_create`` level by level (the ids come back), then their paths.
"""

from campaign.demo.common import (
    DEMO_PASSWORD,
    SEED,
    SeedError,
    insert_rows,
    mobile,
    person_name,
)
from campaign.demo.nantong import (
    DEMO_USERS,
    DemoResult,
    demo_officer_school,
    seed_demo,
)
from campaign.demo.scale import (
    ScaleResult,
    scale_reset,
    scale_username,
    seed_scale,
)

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "DemoResult",
    "SEED",
    "ScaleResult",
    "SeedError",
    "demo_officer_school",
    "insert_rows",
    "mobile",
    "person_name",
    "scale_reset",
    "scale_username",
    "seed_demo",
    "seed_scale",
]
