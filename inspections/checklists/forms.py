"""The checklist editor: the whole content on one page, a small form per section and per item.

Field names: ``s3-code`` for section 3, ``s3-i5-text`` for its item 5; ``sections`` and
``s3-items`` say how many blocks were on the page. Blank item rows (and a blank section) are
there to add to; left blank they are ignored. The checks are the service's
(``services.content_errors``), put back on the fields they concern; a refused submit shows
everything as typed.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm
from hazards.models import Hazard, HazardCategory
from inspections.checklists.services import content_errors
from inspections.models import ChecklistItem, ChecklistSection

EXTRA_ITEMS = 2
EXTRA_SECTION_ITEMS = 3
MORE_ITEMS = 5
MAX_SECTIONS = 60
MAX_ROWS = 400  # item forms on one page, blank rows included (a tampered count stops here)


class _Styled(PortalForm):
    """Bootstrap classes on every widget; ids unique on a page of many forms (the prefix)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class SectionForm(_Styled):
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=32000)
    code = forms.CharField(label=_("Section code"), required=False, max_length=40)
    name = forms.CharField(label=_("Section name"), required=False, max_length=60)
    defence = forms.ChoiceField(
        label=_("Defence"), required=False, choices=[("", "—"), *ChecklistSection.Defence.choices]
    )
    delete = forms.BooleanField(label=_("Remove this section"), required=False)

    TEXT = ("code", "name")

    def is_blank(self):
        return not any((self.cleaned_data.get(f) or "").strip() for f in self.TEXT)


class ItemForm(_Styled):
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=32000)
    code = forms.CharField(
        label=_("Item code"),
        required=False,
        max_length=40,
        help_text=_("Kept across versions, so that results compare over time."),
    )
    text = forms.CharField(label=_("Item"), required=False, max_length=200)
    hint = forms.CharField(label=_("How to check"), required=False, max_length=300)
    answer_type = forms.ChoiceField(
        label=_("Answer type"), required=False, choices=ChecklistItem.AnswerType.choices
    )
    threshold = forms.CharField(
        label=_("Limit"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    threshold_rule = forms.ChoiceField(
        label=_("Limit from"), required=False, choices=ChecklistItem.Threshold.choices
    )
    unit_label = forms.CharField(label=_("Unit"), required=False, max_length=10)
    weight = forms.CharField(
        label=_("Weight"),
        required=False,
        max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    critical = forms.BooleanField(label=_("Critical (a failure fails its section)"), required=False)
    category = forms.ChoiceField(label=_("Hazard category"), required=False)
    level = forms.ChoiceField(
        label=_("Grade of a failure"), required=False, choices=Hazard.Level.choices
    )
    delete = forms.BooleanField(label=_("Remove this item"), required=False)

    TEXT = ("code", "text", "hint", "threshold", "unit_label")

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *categories]

    def is_blank(self):
        return not any((self.cleaned_data.get(f) or "").strip() for f in self.TEXT)


def category_choices(extra=()):
    """(code, name) of the active categories, and of ``extra`` codes in use."""
    rows = HazardCategory.objects.filter(is_active=True).select_related("parent")
    found = {c.code: str(c) for c in rows}
    for c in HazardCategory.objects.filter(code__in=set(extra) - set(found)):
        found[c.code] = str(c)
    return list(found.items())


def _count(data, name, limit):
    try:
        return max(0, min(int(data.get(name, 0)), limit))
    except (TypeError, ValueError):
        return 0


class Block:
    """A section on the page: its form and its items' forms."""

    def __init__(self, index, form, items):
        self.index, self.form, self.items = index, form, items
        self.errors = []  # the section's own problems (no field)

    @property
    def prefix(self):
        return f"s{self.index}"


class ChecklistEditor:
    """The editor's forms, from a content (GET) or from the POST."""

    def __init__(self, *, content=None, data=None, more=None):
        self.data = data
        self.note = (data or {}).get("note", "")
        self.errors = []
        in_use = {i["category"] for s in content or [] for i in s["items"]}
        if data is not None:
            # Posted codes are looked up: one PostgreSQL cannot hold (a NUL) names nothing.
            in_use |= {
                v for k, v in data.items() if k.endswith("-category") and v and "\x00" not in v
            }
        self.categories = category_choices(in_use)
        self.blocks = (
            self._from_data(data, more) if data is not None else self._from_content(content)
        )

    def _item(self, prefix, initial=None):
        return ItemForm(self.data, prefix=prefix, initial=initial, categories=self.categories)

    def _from_content(self, content):
        blocks = []
        for s, section in enumerate(content or []):
            form = SectionForm(
                prefix=f"s{s}",
                initial={
                    "order": (s + 1) * 10,
                    "code": section["code"],
                    "name": section["name"],
                    "defence": section["defence"],
                },
            )
            items = []
            for i, item in enumerate(section["items"]):
                threshold = item["threshold"]
                initial = {
                    **item,
                    "order": (i + 1) * 10,
                    "threshold": "" if threshold is None else _plain(threshold),
                    "weight": str(item["weight"]),
                }
                items.append(self._item(f"s{s}-i{i}", initial))
            for i in range(len(items), len(items) + EXTRA_ITEMS):
                items.append(self._item(f"s{s}-i{i}"))
            blocks.append(Block(s, form, items))
        s = len(blocks)
        blocks.append(
            Block(
                s,
                SectionForm(prefix=f"s{s}"),
                [self._item(f"s{s}-i{i}") for i in range(EXTRA_SECTION_ITEMS)],
            )
        )
        return blocks

    def _from_data(self, data, more):
        blocks = []
        count = _count(data, "sections", MAX_SECTIONS)
        left = MAX_ROWS
        for s in range(count):
            form = SectionForm(data, prefix=f"s{s}")
            n = _count(data, f"s{s}-items", left)
            if more == s:
                n = min(n + MORE_ITEMS, left)
            left -= n
            items = [self._item(f"s{s}-i{i}") for i in range(n)]
            blocks.append(Block(s, form, items))
        if more == "section":
            s = len(blocks)
            blocks.append(
                Block(
                    s,
                    SectionForm(data, prefix=f"s{s}"),
                    [self._item(f"s{s}-i{i}") for i in range(EXTRA_SECTION_ITEMS)],
                )
            )
        for block in blocks:
            block.form.is_valid()
            for item in block.items:
                if item.is_bound:
                    item.is_valid()
        return blocks

    # --- From the POST to a content --------------------------------------------------------

    def content(self):
        """(sections, where) from the bound forms: blank and removed blocks left out, in the
        order given; ``where`` maps (section, item) of the content to their forms."""
        chosen = []
        for block in self.blocks:
            form = block.form
            if form.cleaned_data.get("delete"):
                continue
            items = [
                item
                for item in block.items
                if not item.cleaned_data.get("delete") and not item.is_blank()
            ]
            if form.is_blank() and not items:
                continue
            order = form.cleaned_data.get("order")
            chosen.append((order if order is not None else 1 << 20, block.index, block, items))
        chosen.sort(key=lambda t: (t[0], t[1]))
        sections, where = [], {}
        for s, (_o, _i, block, items) in enumerate(chosen):
            data = block.form.cleaned_data
            ranked = sorted(
                enumerate(items),
                key=lambda p: (
                    p[1].cleaned_data.get("order")
                    if p[1].cleaned_data.get("order") is not None
                    else 1 << 20,
                    p[0],
                ),
            )
            where[(s, None)] = block
            content_items = []
            for i, (_n, item) in enumerate(ranked):
                where[(s, i)] = item
                d = item.cleaned_data
                content_items.append(
                    {
                        "code": d.get("code", ""),
                        "text": d.get("text", ""),
                        "hint": d.get("hint", ""),
                        "answer_type": d.get("answer_type") or "",
                        "threshold": d.get("threshold", ""),
                        "threshold_rule": d.get("threshold_rule") or "",
                        "unit_label": d.get("unit_label", ""),
                        "weight": d.get("weight") or "",
                        "critical": d.get("critical", False),
                        "category": d.get("category", ""),
                        "level": d.get("level") or "",
                    }
                )
            sections.append(
                {
                    "code": data.get("code", ""),
                    "name": data.get("name", ""),
                    "defence": data.get("defence", ""),
                    "items": content_items,
                }
            )
        return sections, where

    def check(self):
        """The content when every form and the service's checks accept it, else None (the
        problems put on their fields)."""
        forms_ok = all(
            b.form.is_valid() and all(i.is_valid() for i in b.items) for b in self.blocks
        )
        if not forms_ok:
            self.errors.append(_("Some fields are not valid: see the marks below."))
            return None
        sections, where = self.content()
        _clean, errors = content_errors(sections)
        for error in errors:
            target = where.get((error.section, error.item))
            if target is None:
                self.errors.append(error.message)
            elif isinstance(target, Block):
                if error.field in target.form.fields:
                    target.form.add_error(error.field, error.message)
                else:
                    target.errors.append(error.message)
            elif error.field in target.fields:
                target.add_error(error.field, error.message)
            else:
                target.add_error(None, error.message)
        if errors:
            return None
        return sections

    def error_count(self):
        count = len(self.errors)
        for block in self.blocks:
            count += len(block.errors) + sum(len(e) for e in block.form.errors.values())
            for item in block.items:
                count += sum(len(e) for e in item.errors.values())
        return count


def _plain(value):
    text = format(value, "f")
    return text[:-2] if text.endswith(".0") else text
