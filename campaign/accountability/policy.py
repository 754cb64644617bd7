"""Who may do what with the accountability record.

- Read: whoever may view the entry's unit — the unit itself, its county and the city (a grant
  holds for its whole subtree), never a sibling.
- Explain: the unit's own people (SUBMIT_REPORTS held at the unit itself): the explanation is
  the unit's word, not its county's. An explanation never removes the entry.
"""

from campaign import access
from campaign.roles import Perm


def may_explain(user, entry) -> bool:
    return entry.unit.kind in access.levels_at(user, Perm.SUBMIT_REPORTS, entry.unit)
