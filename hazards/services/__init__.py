"""Every write of the hazard register, by subject. Callers import from here
(``from hazards import services``):

- ``register``: register a hazard, edit it, set its time limit;
- ``loop``: the closed loop's transitions (``TRANSITIONS`` by action name);
- ``evidence``: comments, files, the consultation meeting;
- ``tally``: the per-county counts kept with every change;
- ``notify``: the notices an event sends, after the commit.
"""

from hazards.services.base import (
    HazardConflict,
    default_deadline,
    five_implementations_missing,
)
from hazards.services.evidence import consultation_meeting_record, hazard_attach, hazard_comment
from hazards.services.findings import (
    evidence_link,
    evidence_link_many,
    hazard_reopen_by_recheck,
    hazards_register_findings,
)
from hazards.services.loop import (
    TRANSITIONS,
    hazard_accept,
    hazard_reject,
    hazard_reopen,
    hazard_start_rectification,
    hazard_submit_for_acceptance,
)
from hazards.services.notify import hazard_event_notify
from hazards.services.register import (
    EDITABLE_FIELDS,
    hazard_register,
    hazard_set_deadline,
    hazard_update,
)
from hazards.services.tally import hazard_tally_rebuild

__all__ = [
    "EDITABLE_FIELDS",
    "TRANSITIONS",
    "HazardConflict",
    "consultation_meeting_record",
    "default_deadline",
    "evidence_link",
    "evidence_link_many",
    "hazard_reopen_by_recheck",
    "hazards_register_findings",
    "five_implementations_missing",
    "hazard_accept",
    "hazard_attach",
    "hazard_comment",
    "hazard_event_notify",
    "hazard_register",
    "hazard_reject",
    "hazard_reopen",
    "hazard_set_deadline",
    "hazard_start_rectification",
    "hazard_submit_for_acceptance",
    "hazard_tally_rebuild",
    "hazard_update",
]
