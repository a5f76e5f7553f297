"""Pure reading of a typed dose: the number as a nurse writes it, its unit, and the safe-writing rules.

The rules follow The Joint Commission's "Do Not Use" list: a decimal below one needs its leading
zero (0.5, never .5) and a whole number never takes a trailing zero (5, never 5.0), because a
missed decimal point turns either into a tenfold overdose. ``µg`` is on the same list (write mcg).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

# Digits with an optional decimal part; thousands may be grouped with commas (1,500).
_PLAIN = re.compile(r"^(?P<sign>[+-]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?$")
_NO_LEADING = re.compile(r"^[+-]?\.\d+$")
_TRAILING_DOT = re.compile(r"^[+-]?\d+\.$")
MAX_CHARS = 40  # a dose never needs more; longer input is not read as a number

# How a written number can break the rules, each with the sentence the learner sees.
OK = "ok"
BLANK = "blank"
NOT_A_NUMBER = "not_a_number"
LEADING_ZERO = "leading_zero"
TRAILING_ZERO = "trailing_zero"
TOO_MANY_DECIMALS = "too_many_decimals"
MESSAGES = {
    BLANK: "No answer was given.",
    NOT_A_NUMBER: "The answer is not written as a number (use digits, such as 12.5).",
    LEADING_ZERO: "Leading zero missing: write 0.5, never .5 (Joint Commission \"Do Not Use\" list).",
    TRAILING_ZERO: "Trailing zero: write 5, never 5.0 (Joint Commission \"Do Not Use\" list).",
    TOO_MANY_DECIMALS: "Not rounded as the question asks.",
}

# Spellings of one unit that mean the same thing; anything else must match the item's unit.
UNIT_ALIASES = {
    "ml": "ml", "mls": "ml", "milliliter": "ml", "milliliters": "ml", "millilitre": "ml",
    "millilitres": "ml", "cc": "cc",  # cc is on the Do Not Use list: kept distinct so it is wrong
    "mg": "mg", "milligram": "mg", "milligrams": "mg", "mgs": "mg",
    "mcg": "mcg", "microgram": "mcg", "micrograms": "mcg",
    "tablet": "tablet", "tablets": "tablet", "tab": "tablet", "tabs": "tablet",
    "capsule": "capsule", "capsules": "capsule", "cap": "capsule", "caps": "capsule",
    "kg": "kg", "kilogram": "kg", "kilograms": "kg", "kgs": "kg",
    "day": "day", "days": "day", "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "min": "min", "minute": "min", "minutes": "min", "gtt": "gtt", "drop": "gtt", "drops": "gtt",
}


class Written(NamedTuple):
    """A typed number: its value when it could be read, and the first rule it breaks."""

    value: Decimal | None
    problem: str
    decimals: int


def read_number(raw: object, places: int | None = None) -> Written:
    """Read a typed number; ``places`` is the most decimal places the question allows."""
    text = unicodedata.normalize("NFKC", raw).strip() if isinstance(raw, str) else ""
    if not text:
        return Written(None, BLANK, 0)
    if len(text) > MAX_CHARS:
        return Written(None, NOT_A_NUMBER, 0)
    if _NO_LEADING.match(text):
        return Written(Decimal(text), LEADING_ZERO, len(text.split(".")[1]))
    if _TRAILING_DOT.match(text):
        return Written(Decimal(text[:-1]), TRAILING_ZERO, 0)
    match = _PLAIN.match(text)
    if match is None:
        return Written(None, NOT_A_NUMBER, 0)
    frac = match.group("frac") or ""
    value = Decimal(match.group("sign") + match.group("int").replace(",", "") + ("." + frac if frac else ""))
    if frac.endswith("0"):
        return Written(value, TRAILING_ZERO, len(frac))
    if places is not None and len(frac) > places:
        return Written(value, TOO_MANY_DECIMALS, len(frac))
    return Written(value, OK, len(frac))


def as_decimal(value: object) -> Decimal | None:
    """An authored number (int, float or numeric text) as an exact Decimal; None if it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        found = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return found if found.is_finite() else None


def unit_key(raw: object) -> str:
    """A unit compared loosely: case, spaces and plural or long forms do not matter, per part."""
    text = unicodedata.normalize("NFKC", raw) if isinstance(raw, str) else ""
    parts = "".join(text.split()).lower().replace("per", "/").split("/")
    return "/".join(UNIT_ALIASES.get(p, p) for p in parts)


def same_unit(given: object, wanted: str) -> bool:
    """Whether the typed unit is the item's unit (mL = ml = milliliters; mcg/day = mcg / day)."""
    key = unit_key(given)
    return bool(key) and key == unit_key(wanted)


def within(given: Decimal, key: Decimal, tolerance: Decimal, percent: bool) -> bool:
    """Whether ``given`` is within the tolerance of the key (absolute, or a percent of the key)."""
    allowed = abs(key) * tolerance / 100 if percent else tolerance
    return abs(given - key) <= allowed


def plain(value: Decimal) -> str:
    """A Decimal written the safe way: no exponent, no trailing zero, a leading zero."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
