"""PEMAT-P scoring (AHRQ): validate a handout's item-by-item ratings and compute both scores.

The AHRQ PEMAT and User's Guide (Shoemaker, Wolf and Brach, 2013, updated 2014) numbers its
items 1 to 26. Items 13 and 14 are for audiovisual material only, so a printable handout rates
them "n/a". A score is the percent of applicable items rated "agree"; N/A items are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PASS_PERCENT = 80.0
RATINGS = ("agree", "disagree", "n/a")
UNDERSTANDABILITY = range(1, 20)
ACTIONABILITY = range(20, 27)
AUDIOVISUAL_ONLY = frozenset({13, 14})
# Items whose guide offers "N/A" on the print form, and when.
NA_ALLOWED = {
    6: "no numbers", 8: "very short material", 9: "very short material",
    11: "very short material", 16: "no visual aids", 17: "no visual aids",
    18: "no visual aids", 19: "no tables", 24: "no calculations",
    25: "no charts, graphs, tables or diagrams",
}


class PematError(ValueError):
    """A PEMAT record that is incomplete or uses a rating the item does not allow."""


@dataclass(frozen=True)
class Rating:
    """One item's rating and the rater's short reason, so a reviewer can check it."""

    item: int
    rating: str
    reason: str


@dataclass(frozen=True)
class PematScore:
    """Understandability and actionability as percents of the applicable items."""

    understandability: float
    actionability: float

    @property
    def passes(self) -> bool:
        """Both scores at or above the house pass mark of 80%."""
        return min(self.understandability, self.actionability) >= PASS_PERCENT


def parse_ratings(raw: Any) -> tuple[Rating, ...]:
    """Read a mapping of item number to "agree|disagree|n/a: reason" for every item 1-26."""
    if not isinstance(raw, Mapping):
        raise PematError("pemat must map item numbers 1-26 to 'agree: reason' and so on")
    keys = {_item_number(key) for key in raw}
    missing = sorted(set(range(1, 27)) - keys)
    if missing:
        raise PematError(f"pemat is missing item(s) {', '.join(map(str, missing))}")
    return tuple(_rating(_item_number(key), value)
                 for key, value in sorted(raw.items(), key=lambda kv: _item_number(kv[0])))


def score(ratings: tuple[Rating, ...]) -> PematScore:
    """The two PEMAT-P percents, rounded to one decimal place."""
    return PematScore(_percent(ratings, UNDERSTANDABILITY), _percent(ratings, ACTIONABILITY))


def _percent(ratings: tuple[Rating, ...], items: range) -> float:
    """Agree items over applicable items; a domain with none applicable cannot pass."""
    applicable = [r for r in ratings if r.item in items and r.rating != "n/a"]
    if not applicable:
        return 0.0
    agreed = sum(1 for r in applicable if r.rating == "agree")
    return round(100 * agreed / len(applicable), 1)


def _item_number(key: Any) -> int:
    """An item key as an int from 1 to 26 (YAML gives ints; quoted keys are allowed too)."""
    try:
        number = int(str(key))
    except ValueError:
        raise PematError(f"pemat item '{key}' is not a number") from None
    if not 1 <= number <= 26:
        raise PematError(f"pemat item {number} is not a PEMAT item (1-26)")
    return number


def _rating(item: int, value: Any) -> Rating:
    """Split 'agree: reason' and check the rating is one this item allows on print."""
    rating, _, reason = str(value or "").partition(":")
    rating, reason = rating.strip().lower(), " ".join(reason.split())
    if rating not in RATINGS:
        raise PematError(f"pemat item {item}: rating must be one of {', '.join(RATINGS)}")
    if not reason:
        raise PematError(f"pemat item {item}: give a short reason after the rating")
    if item in AUDIOVISUAL_ONLY and rating != "n/a":
        raise PematError(f"pemat item {item} is for audiovisual material only: rate it n/a")
    if rating == "n/a" and item not in AUDIOVISUAL_ONLY and item not in NA_ALLOWED:
        raise PematError(f"pemat item {item} has no N/A option on the print form")
    return Rating(item, rating, reason)
