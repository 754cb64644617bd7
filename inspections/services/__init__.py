"""Every write of the inspections, by subject (``from inspections import services``):

- ``plans``: plans, the team, manual changes, re-checks, sealing;
- ``draw``: the sealed draw and its audit;
- ``visits``: start, answers, photos, finishing (findings → hazards, results), amendments,
  finishing the round.
"""

from inspections.services.draw import (
    digest,
    draw_audit,
    draw_candidates,
    draw_run,
    sample,
    weight_of,
)
from inspections.services.plans import (
    plan_create,
    plan_seal,
    plan_update,
    recheck_add,
    target_add,
    target_remove,
    team_set,
)
from inspections.services.visits import (
    answer_amend,
    answer_save,
    effective,
    photo_add,
    plan_finish,
    sealed_digest,
    verify_seal,
    visit_finish,
    visit_start,
)

__all__ = [
    "answer_amend",
    "answer_save",
    "digest",
    "draw_audit",
    "draw_candidates",
    "draw_run",
    "effective",
    "photo_add",
    "plan_create",
    "plan_finish",
    "plan_seal",
    "plan_update",
    "recheck_add",
    "sample",
    "sealed_digest",
    "target_add",
    "target_remove",
    "team_set",
    "verify_seal",
    "visit_finish",
    "visit_start",
    "weight_of",
]
