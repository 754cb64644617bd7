"""Finding the header row: the row whose cells name most of an importer's fields.

Ledgers put a merged title, a 填报单位/填报日期 line and blank rows above the header; a merged
title fills every cell of its range with the same text, so a row counts each distinct text
once. A header may take two rows (a group heading merged across, its parts below): the
parts are joined to the group heading.
"""

from core.imports.cells import cell_text, fold
from core.imports.mapping import NEAR, heading_score

SEARCH_ROWS = 50


def row_score(row, spec):
    """The number of distinct fields the row's headings name (key fields count twice)."""
    texts = {cell_text(v) for v in row if isinstance(v, str)}
    named = set()
    for text in texts:
        if not text or len(text) > 40:
            continue
        best = max(((heading_score(text, f), f.code) for f in spec.fields), default=(0, None))
        if best[0] >= NEAR:
            named.add(best[1])
    return len(named) + len(named & set(spec.key_fields))


def best_header(sheet, spec):
    """(row index, score) of the most header-like row among the first rows, or (None, 0)."""
    needed = 1 if len(spec.fields) < 3 else 2
    best, best_score = None, 0
    for index, row in enumerate(sheet.rows[:SEARCH_ROWS]):
        score = row_score(row, spec)
        if score > best_score and len(set(filter(None, map(fold, row)))) >= min(needed, 2):
            best, best_score = index, score
    if best_score < needed:
        return None, 0
    return best, best_score


def find_header(sheet, spec):
    return header_start(sheet, best_header(sheet, spec)[0])


def header_start(sheet, index):
    """The first row of a two-row header: the parts' row scores best (the merged headings
    read down into it), but the header starts at the group headings' row above."""
    if index:
        above = index - 1
        if _vertical_merge_rows(sheet, above) and _across_merge_rows(sheet, above):
            return above
    return index


def choose_sheet(book, spec):
    """(sheet index, header row index): the sheet with the best header, visible ones first;
    without any header, the first non-empty sheet."""
    best = None
    for index, sheet in enumerate(book.sheets):
        header, score = best_header(sheet, spec)
        if header is None:
            continue
        header = header_start(sheet, header)
        rank = (sheet.visible, score)
        if best is None or rank > best[0]:
            best = (rank, index, header)
    if best is not None:
        return best[1], best[2]
    for index, sheet in enumerate(book.sheets):
        if sheet.rows:
            return index, None
    return 0, None


def _vertical_merge_rows(sheet, index):
    """Columns whose header cell is merged down into the next row."""
    return {
        c
        for r0, c0, r1, c1 in sheet.merged
        if r0 == index and r1 >= index + 1
        for c in range(c0, c1 + 1)
    }


def _across_merge_rows(sheet, index):
    return {
        c
        for r0, c0, r1, c1 in sheet.merged
        if r0 == index == r1 and c1 > c0
        for c in range(c0, c1 + 1)
    }


def header_rows(sheet, index):
    """(headings in column order, index of the first data row)."""
    top = [cell_text(v) for v in sheet.rows[index]]
    below = index + 1
    down, across = _vertical_merge_rows(sheet, index), _across_merge_rows(sheet, index)
    if below < len(sheet.rows) and down and across:
        sub = sheet.rows[below]
        parts = [sub[c] if c < len(sub) else None for c in across]
        if all(v is None or isinstance(v, str) for v in parts) and any(parts):
            headings = []
            for c, text in enumerate(top):
                part = cell_text(sub[c]) if c < len(sub) and c in across else ""
                headings.append(f"{text} {part}" if part and part != text else text)
            return _trim(headings), below + 1
    return _trim(top), below


def _trim(headings):
    while headings and not headings[-1]:
        headings.pop()
    return headings
