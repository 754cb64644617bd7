"""What one cell holds, converted: text, dates, amounts, phone numbers, counts, yes/no.

Every converter returns ``(value, message)``: the value (None when the cell is empty or
wrong) and a message for the user ("" when all is well), so the engine can report the cell
with its row, column and heading. Clerks type full-width digits and separators (２０１９－１２
－０３); ``unicodedata`` NFKC turns them into ASCII before anything is compared.
"""

import datetime as dt
import functools
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils.escape import unescape

from core import dates

# Excel counts days from 1899-12-30 (its 1900 leap-year bug folded in).
EXCEL_EPOCH = dt.date(1899, 12, 30)
CENT = Decimal("0.01")


def nfkc(text):
    """Full-width digits, letters and punctuation as ASCII (２０１９．１２ → 2019.12)."""
    return unicodedata.normalize("NFKC", text)


def fold(text):
    """A heading or choice as compared: full-width as ASCII, no spaces, lower case, ASCII
    brackets (（一般/重大） → (一般/重大))."""
    if text is None:
        return ""
    return _fold(text if type(text) is str else str(text))


@functools.lru_cache(maxsize=4096)  # ledgers repeat their words (消防安全, 一般) on every row
def _fold(text):
    return "".join(nfkc(text).split()).replace("【", "[").replace("】", "]").lower()


def cell_text(value):
    """A cell as text: numbers typed into a code or phone cell lose no digits and gain no '.0'.

    Excel writes a character XML cannot hold as an escape (``_x000B_`` for the line break Word
    pastes): read it as the character it stands for, so the import can say what is wrong.
    """
    if type(value) is str:
        return (unescape(value) if "_x" in value else value).strip()
    if value is None:
        return ""
    if type(value) is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, str) and "_x" in value:
        value = unescape(value)
    return str(value).strip()


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


# --- Dates -----------------------------------------------------------------------------------

_SEP = r"\s*[-./年]\s*"
_FULL = re.compile(
    rf"^(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})\s*[日号]?"
    r"(?:\s*(?:T|\s)?\s*\d{1,2}[:时]\d{1,2}(?:[:分]\d{1,2})?(?:\.\d+)?\s*秒?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TWO_DIGIT = re.compile(rf"^(\d{{2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})\s*[日号]?$")


def _date_text(text):
    text = nfkc(text).strip().replace("月", "-").replace("/", "-")
    return text.replace("\u3002", ".")  # the ideographic full stop NFKC leaves alone


def _serial_date(number, today):
    """A number in a cell formatted as a number: an Excel serial or yyyymmdd (20191203)."""
    if isinstance(number, float) and not number.is_integer():
        number = int(number)  # a serial with a time of day
    number = int(number)
    if 10_000_000 <= number <= 99_999_999:
        return _calendar(number // 10000, number // 100 % 100, number % 100)
    low = (dates.EARLIEST - EXCEL_EPOCH).days
    high = (dates.latest(today) - EXCEL_EPOCH).days
    if low <= number <= high:
        return EXCEL_EPOCH + dt.timedelta(days=number), ""
    return None, _("This is not a date. Write it as 2019-12-03.")


def _calendar(year, month, day):
    try:
        return dt.date(year, month, day), ""
    except ValueError:
        return None, _("There is no such day in the calendar. Check the month and the day.")


def _read_date(value, today):
    if isinstance(value, dt.datetime):
        return value.date(), ""
    if isinstance(value, dt.date):
        return value, ""
    if isinstance(value, bool):
        return None, _("This is not a date. Write it as 2019-12-03.")
    if isinstance(value, int | float):
        return _serial_date(value, today)
    text = _date_text(cell_text(value))
    match = _FULL.match(text) or _COMPACT.match(text)
    if match:
        return _calendar(*(int(g) for g in match.groups()))
    if _TWO_DIGIT.match(text):
        return None, _(
            "The year has only two digits. Write the year with four digits, as 2026-11-14."
        )
    return None, _("This is not a date. Write it as 2019-12-03.")


@functools.lru_cache(maxsize=8)
def _latest(today):
    return dates.latest(today)


def parse_date(value, *, past_only=False, today=None):
    """(date, message): 2019年12月3日, 2019.12.3, 2019/12/03, 2019-12-3, 20191203, full-width
    digits and separators, a date with a time of day, an Excel date or serial number.

    A date outside the plausible range (core.dates) is refused, as is a future date when
    ``past_only`` (the day a hazard was found cannot come after today)."""
    if is_blank(value):
        return None, ""
    today = today or timezone.localdate()
    found, message = _read_date(value, today)
    if found is None:
        return None, message
    if not dates.EARLIEST <= found <= _latest(today):
        return None, dates.plausible_message(today)
    if past_only and found > today:
        return None, _("This date lies in the future. Write the day it happened.")
    return found, ""


# --- Amounts ---------------------------------------------------------------------------------

_MONEY_NOISE = re.compile(r"[,\s¥￥]|人民币")


def parse_money(value, scale=1):
    """(Decimal in yuan to the cent, message). ``scale`` 10000 reads a column in 万元; a cell
    that says 万 itself ("3.5万元") is read in 万元 whatever the column says."""
    if is_blank(value):
        return None, ""
    if isinstance(value, bool):
        return None, _("Write an amount as a number, such as 3.5.")
    if isinstance(value, int | float):
        amount = Decimal(repr(value))
    else:
        text = _MONEY_NOISE.sub("", nfkc(cell_text(value)))
        if text.endswith("元"):
            text = text[:-1]
        if text.endswith("万"):
            text, scale = text[:-1], 10000
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return None, _("Write an amount as a number, such as 3.5.")
    if not amount.is_finite():
        return None, _("Write an amount as a number, such as 3.5.")
    if amount < 0:
        return None, _("An amount cannot be negative.")
    amount = amount * scale
    if amount >= Decimal("1e12"):
        return None, _("This amount is too large. Check the unit (元 or 万元).")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP), ""


# --- Phone numbers ---------------------------------------------------------------------------

_PHONE_SPLIT = re.compile(r"\s*[/、,;]\s*")
_PHONE_CHARS = re.compile(r"^\+?[\d\-()]+$")
_NOT_DIGIT = re.compile(r"\D")
_SPACES = re.compile(r"\s+")
_GROUPS = re.compile(r"[\s\-]+")


def _one_phone(text):
    text = _SPACES.sub(" ", text.strip())
    digits = _NOT_DIGIT.sub("", text)
    if digits.startswith("86") and len(digits) == 13 and digits[2] == "1":
        digits = digits[2:]  # +86 138 1234 5678
    if len(digits) == 11 and digits.startswith("1"):
        return digits  # a mobile number: the digits alone, as it is dialled
    # A landline: keep the hyphen after the area code (0513-86123456); drop the spaces and
    # hyphens clerks put inside the number itself.
    groups = [g for g in _GROUPS.split(text.replace("(", " ").replace(")", " ")) if g]
    if len(groups) > 1 and groups[0].startswith("0") and 3 <= len(groups[0]) <= 4:
        return f"{groups[0]}-{''.join(groups[1:])}"
    return "".join(groups)


def normalise_phone(value):
    """A phone number as the portal stores it: full-width digits as ASCII, mobiles as 11
    digits (138 1234-5678 → 13812345678), landlines with one hyphen after the area code
    (0513 - 8612 3456 → 0513-86123456); several numbers joined by "/"."""
    text = cell_text(value)
    if len(text) == 11 and text.isascii() and text.isdigit():
        return text  # the usual mobile number, already as stored
    return _normalise_phone(text)


@functools.lru_cache(maxsize=4096)  # one person's number on many rows
def _normalise_phone(text):
    text = nfkc(text).replace("—", "-")
    if not text:
        return ""
    return "/".join(_one_phone(p) for p in _PHONE_SPLIT.split(text) if p.strip())


def check_phone(text):
    """A message when a normalised phone number cannot be one ("" when it can)."""
    for part in text.split("/"):
        digits = _NOT_DIGIT.sub("", part)
        if not _PHONE_CHARS.match(part) or not 5 <= len(digits) <= 15:
            return _("This is not a phone number. Write digits only, such as 13812345678.")
    return ""


# --- Counts and yes/no -----------------------------------------------------------------------

YES = {"是", "有", "y", "yes", "true", "1", "√", "✓", "✔", "已", "已落实", "落实"}
NO = {"否", "无", "没有", "n", "no", "false", "0", "×", "✗", "未", "未落实"}


def parse_count(value):
    """(whole number ≥ 0, message)."""
    if is_blank(value):
        return None, ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = nfkc(cell_text(value)).replace(",", "")
    if text.endswith(("人", "个", "名")):
        text = text[:-1]
    if not text.isdigit():
        return None, _("Write a whole number, such as 12.")
    return int(text), ""


def parse_bool(value):
    """(True/False, message): 是/否, 有/无, √/×, yes/no, 1/0."""
    if is_blank(value):
        return None, ""
    if isinstance(value, bool):
        return value, ""
    text = fold(cell_text(value))
    if text in YES:
        return True, ""
    if text in NO:
        return False, ""
    return None, _("Write 是 or 否.")


def folded_choices(choices):
    """{folded spelling: value}, built once per field rather than once per cell."""
    return {fold(k): v for k, v in choices.items()}


def parse_choice(value, choices, folded=None):
    """(value, message): the cell looked up folded among ``choices`` {spelling: value}."""
    if is_blank(value):
        return None, ""
    folded = folded if folded is not None else folded_choices(choices)
    text = fold(cell_text(value))
    if text in folded:
        return folded[text], ""
    names = "、".join(dict.fromkeys(str(k) for k in choices))
    return None, _("Unknown value. Write one of: %(names)s.") % {"names": names}
