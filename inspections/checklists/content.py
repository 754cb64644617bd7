"""A checklist version's content as plain data, and writing it to the database.

The content of a version is a list of sections, each a dict::

    {"code": "technical", "name": "技防", "defence": "technical", "items": [
        {"code": "video-clock", "text": "…", "hint": "…", "answer_type": "max_number",
         "threshold": Decimal("5"), "threshold_rule": "fixed", "unit_label": "分钟",
         "weight": 2, "critical": False, "category": "video-clock", "level": "general"},
    ]}

The same shape is what ``checklist_update`` takes, what the editor posts, what the xlsx export
writes (one row per item) and what the import reads back; ``version_content`` reads it from a
saved version, so two contents compare with ``==``.
"""

from decimal import Decimal

from hazards.models import HazardCategory
from inspections.models import ChecklistItem, ChecklistSection

ITEM_FIELDS = (
    "code",
    "text",
    "hint",
    "answer_type",
    "threshold",
    "threshold_rule",
    "unit_label",
    "weight",
    "critical",
    "category",
    "level",
)


def normal_item(item):
    """An item dict with every field, in canonical types (for comparison)."""
    threshold = item.get("threshold")
    if threshold is not None and threshold != "":
        threshold = Decimal(str(threshold)).quantize(Decimal("0.1"))
    else:
        threshold = None
    return {
        "code": str(item.get("code") or "").strip(),
        "text": str(item.get("text") or "").strip(),
        "hint": str(item.get("hint") or "").strip(),
        "answer_type": item.get("answer_type") or ChecklistItem.AnswerType.PASS_FAIL,
        "threshold": threshold,
        "threshold_rule": item.get("threshold_rule") or ChecklistItem.Threshold.FIXED,
        "unit_label": str(item.get("unit_label") or "").strip(),
        "weight": int(item.get("weight") or 1),
        "critical": bool(item.get("critical")),
        "category": str(item.get("category") or "").strip(),
        "level": item.get("level") or "general",
    }


def normal_content(sections):
    return [
        {
            "code": str(s.get("code") or "").strip(),
            "name": str(s.get("name") or "").strip(),
            "defence": s.get("defence") or "",
            "items": [normal_item(i) for i in s.get("items", [])],
        }
        for s in sections
    ]


def version_content(version):
    """The content of a saved version, in the normal shape (two queries)."""
    sections = list(version.sections.order_by("order", "id"))
    by_section = {s.id: [] for s in sections}
    items = (
        ChecklistItem.objects.filter(version=version)
        .select_related("category")
        .order_by("section__order", "order", "id")
    )
    for item in items:
        by_section[item.section_id].append(
            normal_item(
                {
                    **{f: getattr(item, f) for f in ITEM_FIELDS if f != "category"},
                    "category": item.category.code,
                }
            )
        )
    return [
        {"code": s.code, "name": s.name, "defence": s.defence, "items": by_section[s.id]}
        for s in sections
    ]


def write_content(version, sections, categories=None):
    """Create the sections and items of ``version`` (empty) from normal content."""
    if categories is None:
        codes = {i["category"] for s in sections for i in s["items"]}
        categories = HazardCategory.objects.in_bulk(codes, field_name="code")
    items = []
    for s_order, section in enumerate(sections, start=1):
        row = ChecklistSection.objects.create(
            version=version,
            order=s_order * 10,
            code=section["code"],
            name=section["name"],
            defence=section["defence"],
        )
        for i_order, item in enumerate(section["items"], start=1):
            fields = {f: item[f] for f in ITEM_FIELDS if f != "category"}
            items.append(
                ChecklistItem(
                    version=version,
                    section=row,
                    order=i_order * 10,
                    category=categories[item["category"]],
                    **fields,
                )
            )
    ChecklistItem.objects.bulk_create(items)


def clear_content(version):
    ChecklistItem.objects.filter(version=version).delete()
    ChecklistSection.objects.filter(version=version).delete()
