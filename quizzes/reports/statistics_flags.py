"""Rules that flag a quiz item for review, with reasons an instructor can act on."""

from __future__ import annotations

from dataclasses import dataclass

# Thresholds, in percent, matching the brief for issue 5: Moodle's docs suggest a facility of
# roughly 30-70% for discriminating tests; we only flag the clear outliers.
TOO_EASY_ABOVE = 95.0
TOO_HARD_BELOW = 20.0
LOW_DISCRIMINATION_BELOW = 20.0  # a discrimination index of 0.2, shown as a percentage


@dataclass(frozen=True)
class ItemFlag:
    """One reason to review an item: a stable code for code and a sentence for people."""

    code: str
    reason: str


def flag_item(facility: float | None, discrimination: float | None) -> tuple[ItemFlag, ...]:
    """Return the review flags for an item given its facility and discrimination index (%)."""
    flags: list[ItemFlag] = []
    if discrimination is not None and discrimination < 0:
        flags.append(ItemFlag(
            "negative_discrimination",
            f"Discrimination index is {discrimination:.1f}%: students who scored well on the rest "
            "of the quiz did worse on this item. Check the answer key and the wording.",
        ))
    if facility is not None and facility > TOO_EASY_ABOVE:
        flags.append(ItemFlag(
            "too_easy",
            f"Facility index is {facility:.1f}% (above {TOO_EASY_ABOVE:.0f}%): nearly everyone "
            "got it right, so it tells you little about who understands the topic.",
        ))
    if facility is not None and facility < TOO_HARD_BELOW:
        flags.append(ItemFlag(
            "too_hard",
            f"Facility index is {facility:.1f}% (below {TOO_HARD_BELOW:.0f}%): check that the key "
            "is right and that the topic was taught before the quiz.",
        ))
    if discrimination is None:
        flags.append(ItemFlag(
            "low_discrimination",
            "Discrimination index could not be calculated: too few attempts, or every attempt "
            "scored the same on this item or on the rest of the quiz.",
        ))
    elif discrimination < LOW_DISCRIMINATION_BELOW:
        flags.append(ItemFlag(
            "low_discrimination",
            f"Discrimination index is {discrimination:.1f}% (below "
            f"{LOW_DISCRIMINATION_BELOW:.0f}%): the item barely separates stronger from weaker "
            "students.",
        ))
    return tuple(flags)
