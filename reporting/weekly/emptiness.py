""" "Empty is not done" (S7): a weekly report submitted on time but saying nothing.

A report is *submitted but empty* when all its figures are zero and its texts say nothing of
substance: together, once whitespace, punctuation and stock answers ("无", "正常", "同上"…) are
taken out, shorter than ``MIN_CHARACTERS``, or the same text as the unit's previous week. It
counts as submitted for timeliness (reporting.weekly.rates) and shows in the key-supervision
view. Decided at each submission and kept on the round, so that a later change of these rules
does not rewrite past weeks.
"""

import unicodedata

# About two short sentences of Chinese: "本周完成校门口护栏检修" is 11.
MIN_CHARACTERS = 15

# Whole answers that say nothing, compared after normalising (see ``substance``).
STOCK_ANSWERS = frozenset(
    {
        "无",
        "暂无",
        "没有",
        "无问题",
        "无异常",
        "正常",
        "一切正常",
        "同上",
        "同上周",
        "略",
        "none",
        "nil",
        "na",
        "no",
        "nothing",
    }
)


def substance(text: str) -> str:
    """``text`` without whitespace, punctuation, symbols and case: what is left to read."""
    kept = (
        ch.casefold()
        for ch in unicodedata.normalize("NFKC", text or "")
        if unicodedata.category(ch)[0] not in ("Z", "P", "S", "C")
    )
    answer = "".join(kept)
    return "" if answer in STOCK_ANSWERS else answer


def said(texts: dict) -> str:
    """The substance of a report's texts together, in a fixed order."""
    return "".join(substance(texts.get(name, "")) for name in sorted(texts))


def is_empty(figures: dict, texts: dict, previous_texts: dict | None = None) -> bool:
    if any(figures.values()):
        return False
    content = said(texts)
    if len(content) < MIN_CHARACTERS:
        return True
    return previous_texts is not None and content == said(previous_texts)
