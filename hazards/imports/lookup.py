"""What a ledger row names, found in the database: schools in the importer's scope, categories,
the progress a ledger writes (整改进展), and the key that makes a row a duplicate.

Everything is loaded in a few queries per file (schools, categories, the existing hazards of the
file's schools and dates), never per row, so that a 20,000-row ledger resolves in seconds.
"""

import re

from django.utils.translation import gettext as _

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.imports.cells import fold, nfkc, parse_date
from core.imports.matching import NameMatcher, short_names
from hazards.models import Hazard, HazardCategory
from hazards.services.imports import ACCEPTED, RECTIFIED, RECTIFYING, LedgerHistory

CHUNK = 500
# A ledger without a location column: the hazard says so (the model needs a place).
LOCATION_UNKNOWN = "（原台账未注明具体位置）"
# The portal's own numbers (NT-2019-000123); anything else in 隐患编号 is the ledger's number.
PORTAL_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*-\d{4}-\d{6}$")


def chunks(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


# --- Schools ---------------------------------------------------------------------------------


def school_matcher(actor):
    """(NameMatcher over the schools where ``actor`` may register hazards, {pk: school}).

    A school is found by its code, its full name or its name without the city or county prefix
    (通州区实验小学 → 实验小学). Out of scope is simply not a candidate: it reads like unknown."""
    schools = list(
        access.units_where(actor, Perm.REGISTER_HAZARD)
        .filter(kind=OrgUnit.Kind.SCHOOL)
        .only("id", "code", "name", "path", "kind")
    )
    ancestor_ids = {pk for s in schools for pk in s.ancestor_ids()[:-1]}
    names = dict(
        OrgUnit.objects.filter(pk__in=ancestor_ids)
        .exclude(kind=OrgUnit.Kind.PROVINCE)
        .values_list("pk", "name")
    )
    candidates = []
    for school in schools:
        prefixes = [names[pk] for pk in school.ancestor_ids()[:-1] if pk in names]
        candidates.append(
            (school.pk, school.code, [school.name, *sorted(short_names(school.name, prefixes))])
        )
    return NameMatcher(candidates), {s.pk: s for s in schools}


# --- Categories ------------------------------------------------------------------------------


def area_words(name):
    """The shorter words ledgers use for an area: 食品和食堂安全 → 食品安全, 食堂安全, 食品;
    消防安全 → 消防. Derived from the name, so a renamed or new area gets its own."""
    words = set()
    suffix = "安全" if name.endswith("安全") else ""
    if suffix and len(name) > len(suffix) + 1:
        words.add(name[: -len(suffix)])
    if "和" in name:
        left, right = name.split("和", 1)
        words |= {left, right, left + suffix}
        if suffix:
            words.add(right[: -len(suffix)] or right)
    return {w for w in words if len(w) >= 2 and w != name}


def category_matcher():
    """(NameMatcher over the active categories, {pk: category}).

    An item by its code, the name the register shows (消防安全 · 消防栓无水) or its own name; an
    area (itself a category the register offers) by its code, its name or the shorter words
    ledgers write for it (校舍安全 for 校舍和设施安全). A word several categories share matches
    none and suggests them."""
    categories = list(HazardCategory.objects.filter(is_active=True).select_related("parent"))
    candidates = []
    for c in categories:
        if c.parent_id is None:
            candidates.append((c.pk, c.code, [c.name, *sorted(area_words(c.name))]))
        else:
            candidates.append((c.pk, c.code, [str(c), c.name]))
    return NameMatcher(candidates), {c.pk: c for c in categories}


# --- Grade, source ---------------------------------------------------------------------------


def default_source(actor):
    """A ledger without a source column: a school's own ledger is its self-check; anyone
    above a school (a county clerk) imports what the county's checks found."""
    kinds = {kind for _pk, kind, _path in access.granted_units(actor, Perm.REGISTER_HAZARD)}
    if kinds and kinds <= {OrgUnit.Kind.SCHOOL}:
        return Hazard.Source.SELF_CHECK
    return Hazard.Source.COUNTY_CHECK


# --- Progress (整改进展) -----------------------------------------------------------------------

_WORDS = (
    (ACCEPTED, ("已验收", "验收合格", "已销号", "验收通过", "通过验收", "已销项")),
    (RECTIFYING, ("整改中", "正在整改", "整改未完成", "未完成", "推进中", "正在推进")),
    (RECTIFIED, ("已完成", "已整改", "整改完成", "完成整改", "整改到位", "已处理", "已落实")),
)
_ACCEPTED_ON = re.compile(r"已[^未待]{0,16}验收")
_NOT_YET = re.compile(r"[未待]验收")
_NOTHING = ("未整改", "未开始", "待整改", "无")
_DATE = re.compile(r"\d{4}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*[日号]?")
_WHO = re.compile(
    r"(?:验收人|整改人|验收人员|经办人|责任人)\s*[:：为是]?\s*([^\s,，;；。、)）:：]+)"
)
_NOISE = re.compile(r"[\s,，;；。、:：()（）\[\]【】]+")
_NOT_A_NAME = re.compile(r"[\d年月日号于已未待完成整改验收合格销号通过处理落实到位中正在推进]")


def progress_state(text):
    """RECTIFYING, RECTIFIED, ACCEPTED or None (nothing, or words the import does not know)."""
    folded = fold(text)
    if not folded or folded in _NOTHING:
        return None
    for state, words in _WORDS:
        if any(word in folded for word in words):
            return state
        if state == ACCEPTED and _ACCEPTED_ON.search(folded) and not _NOT_YET.search(folded):
            return ACCEPTED  # 已于2019年12月28日验收
    return None


def _who(text):
    match = _WHO.search(text)
    if match:
        return match.group(1)[:60]
    # "已验收 2019-12-20 张三": the last token that is no state word and no date.
    tokens = [t for t in _NOISE.split(_DATE.sub(" ", text)) if t]
    if tokens:
        last = tokens[-1]
        if not _NOT_A_NAME.search(last) and 2 <= len(last) <= 10:
            return last
    return ""


def ledger_history(text, on=None, by=""):
    """(LedgerHistory or None, problem message or "") from the progress cell and the optional
    date and person columns. A date in the text (已于2019年12月20日验收) counts as the date."""
    state = progress_state(text or "")
    if state is None:
        return None, ""
    text = nfkc(text).strip()
    if on is None:
        match = _DATE.search(text)
        if match:
            on, message = parse_date(match.group(0), past_only=True)
            if message:
                return None, message
    return LedgerHistory(state=state, on=on, by=(by or _who(text))[:60], text=text[:500]), ""


# --- Duplicates ------------------------------------------------------------------------------


def duplicate_key(school_id, category_id, location, found_on, description):
    """Same school, category, place and date found; a place the ledger did not give is told
    apart by the description, so that two hazards of a day at one school are not one."""
    place = fold(location or "")
    if not place or location == LOCATION_UNKNOWN:
        place = "?" + fold(description or "")
    return (school_id, category_id, place, found_on)


def existing_hazards(school_ids, dates, refs):
    """The hazards a ledger's rows may repeat: ({key: code}, {(school, ledger ref): code}),
    read for the file's schools and range of dates (and its ledger numbers) only."""
    by_key, by_ref = {}, {}
    fields = (
        "code",
        "school_id",
        "category_id",
        "location",
        "found_on",
        "description",
        "ledger_ref",
    )
    school_ids = sorted(school_ids)
    if not school_ids:
        return by_key, by_ref
    queries = []
    if dates:
        low, high = min(dates), max(dates)
        for ids in chunks(school_ids):
            queries.append(Hazard.objects.filter(school_id__in=ids, found_on__range=(low, high)))
    for some in chunks(sorted(refs)):
        queries.append(Hazard.objects.filter(school_id__in=school_ids, ledger_ref__in=some))
    for query in queries:
        for code, school, category, location, found, description, ref in query.values_list(
            *fields
        ).order_by():
            by_key.setdefault(duplicate_key(school, category, location, found, description), code)
            if ref:
                by_ref.setdefault((school, fold(ref)), code)
    return by_key, by_ref


def hazards_by_code(codes):
    """{code: hazard} for the codes given (the school loaded: the scope is checked on it)."""
    found = {}
    for some in chunks(codes):
        for hazard in Hazard.objects.filter(code__in=some).select_related("school", "category"):
            found[hazard.code] = hazard
    return found


def unknown_hazard_message():
    # Out of scope reads exactly like unknown: the file learns nothing more.
    return _("No hazard with this number in your register.")
