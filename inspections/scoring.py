"""Judging an answer and scoring a visit: pure functions over rows already read.

Score = weighted passed / weighted applicable, in percent (not applicable items count for
nothing). A failed critical item fails its section, whatever the section's score.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

from campaign.models import OrgUnit
from inspections.models import Answer, ChecklistItem

Result = Answer.Result
AnswerType = ChecklistItem.AnswerType
BAD_SCORE = 60  # below this a school's last inspection counts as bad in the next draw


def guards_required(school):
    """Full-time guards a school should have for its size (decisions.md): a kindergarten of up to
    300 children one, a larger one two; any other school two up to 1,000 students and one more
    for every further 500 or part of it."""
    students = school.students or 0
    if school.category == OrgUnit.Category.KINDERGARTEN:
        return 1 if students <= 300 else 2
    if students <= 1000:
        return 2
    return 2 + math.ceil((students - 1000) / 500)


def limit_for(item, school):
    if item.answer_type == AnswerType.PASS_FAIL:
        return None
    if item.threshold_rule == ChecklistItem.Threshold.GUARDS_REQUIRED:
        return Decimal(guards_required(school))
    return item.threshold


def judge(item, value, school, *, result=None):
    """(result, limit) of an answer: a number is judged against its limit; pass / fail / not
    applicable is the inspector's. Raises ``ValueError`` for an answer the item cannot take."""
    limit = limit_for(item, school)
    if result == Result.NA:
        return Result.NA, limit
    if item.answer_type == AnswerType.PASS_FAIL:
        if result not in (Result.PASS, Result.FAIL):
            raise ValueError("pass, fail or na")
        return result, None
    if value is None:
        raise ValueError("a number")
    value = Decimal(value)
    if item.answer_type == AnswerType.MIN_NUMBER:
        return (Result.PASS if value >= limit else Result.FAIL), limit
    return (Result.PASS if value <= limit else Result.FAIL), limit


def _pct(passed, applicable):
    if not applicable:
        return Decimal("100.0")
    return (Decimal(100) * passed / applicable).quantize(Decimal("0.1"), ROUND_HALF_UP)


def score(answers, items):
    """The visit's figures and per-section figures from its item answers.

    ``answers``: {item_id: result}; ``items``: the version's items (with ``section_id``).
    """
    total = {"checked": 0, "failed": 0, "critical": 0, "applicable": 0, "passed": 0}
    sections = {}
    for item in items:
        result = answers.get(item.pk)
        s = sections.setdefault(
            item.section_id,
            {"checked": 0, "failed": 0, "critical": 0, "applicable": 0, "passed": 0},
        )
        if result is None or result == Result.NA:
            continue
        for bucket in (total, s):
            bucket["checked"] += 1
            bucket["applicable"] += item.weight
            if result == Result.PASS:
                bucket["passed"] += item.weight
            else:
                bucket["failed"] += 1
                if item.critical:
                    bucket["critical"] += 1
    for s in sections.values():
        s["score"] = _pct(s["passed"], s["applicable"]) if s["applicable"] else None
        s["section_failed"] = s["critical"] > 0
    total["score"] = _pct(total["passed"], total["applicable"])
    total["sections_failed"] = sum(1 for s in sections.values() if s["section_failed"])
    return total, sections
