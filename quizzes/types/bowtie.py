"""Bowtie: two actions, one condition and two parameters to monitor, 0/1 per zone (max 5)."""

from __future__ import annotations

from typing import Any

import quizzes.types.checks as checks

from .base import (
    Form,
    Item,
    ParseResult,
    PartResult,
    QuestionType,
    ScoreResult,
    Stats,
    cannot,
    total,
)
from .form_spec import TypeForm, choice_rows
from .forms import as_map, id_text, maybe_shuffled, one, pick, public_base

# (pool key, zone ids, how many options in the pool are correct, smallest pool size)
POOLS = (
    ("actions", ("action-1", "action-2"), 2, 3),
    ("condition", ("condition",), 1, 2),
    ("parameters", ("parameter-1", "parameter-2"), 2, 3),
)
ZONE_LABELS = {
    "action-1": "Action to take 1",
    "action-2": "Action to take 2",
    "condition": "Condition most likely",
    "parameter-1": "Parameter to monitor 1",
    "parameter-2": "Parameter to monitor 2",
}


def validate(item: Item, where: str) -> None:
    """Three pools of options with exactly 2, 1 and 2 correct; ids unique across pools."""
    checks.common(item, where, "bowtie", {pool for pool, *_ in POOLS})
    seen: set[str] = set()
    for pool, _zones, n_right, min_n in POOLS:
        ids = checks.choices(item, pool, where, min_n=min_n, max_n=8, n_correct=(n_right, n_right))
        clash = seen & set(ids)
        if clash:
            checks.fail(where, pool, f"id {sorted(clash)[0]!r} is already used in another pool")
        seen.update(ids)


def public_view(item: Item, seed: str) -> dict[str, Any]:
    """Each pool (shuffled when allowed) and the zone layout, without correctness."""
    view = public_base(item)
    for pool, _zones, _n, _min in POOLS:
        view[pool] = maybe_shuffled(item, id_text(item[pool]), seed, pool)
    view["zones"] = [{"id": z, "label": ZONE_LABELS[z], "pool": pool} for pool, zones, _n, _m in POOLS for z in zones]
    return view


def parse(item: Item, form: Form, prefix: str) -> ParseResult:
    """Read ``{prefix}zone-<zone>``; an option placed in two zones keeps only the first."""
    response: dict[str, Any] = {}
    problems: list[str] = []
    for pool, zones, _n, _min in POOLS:
        allowed = [o["id"] for o in item[pool]]
        for zone in zones:
            choice, several = one(form, f"{prefix}zone-{zone}", allowed)
            if several:
                problems.append(f"Put only one option in \u201c{ZONE_LABELS[zone]}\u201d.")
            if choice is not None and choice in response.values():
                problems.append("Place each option only once.")
                choice = None
            response[zone] = choice
    return ParseResult(response, tuple(dict.fromkeys(problems)))


def _pool_parts(item: Item, pool: str, zones: tuple[str, ...], answers: Any) -> list[PartResult]:
    """Mark the zones of one pool; two zones of a pool are interchangeable, duplicates score once."""
    options = {o["id"]: o for o in item[pool]}
    key = [o["id"] for o in item[pool] if o.get("correct", False)]
    chosen: list[str | None] = []
    for zone in zones:
        got = pick(answers.get(zone), options)
        chosen.append(None if got in chosen else got)
    unmatched = [k for k in key if k not in chosen]
    parts = []
    for zone, got in zip(zones, chosen):
        right = got in key
        expected = got if right else unmatched.pop(0)
        why = options[got]["rationale"] if got else options[expected]["rationale"]
        parts.append(PartResult(zone, ZONE_LABELS[zone], 1.0 if right else 0.0, 1.0, right, got, expected, why))
    return parts


def score(item: Item, response: Any) -> ScoreResult:
    """1 point per zone holding a correct option of its pool (5 zones)."""
    answers = as_map(response)
    parts: list[PartResult] = []
    for pool, zones, _n, _min in POOLS:
        parts.extend(_pool_parts(item, pool, zones, answers))
    return total(parts)


def max_points(item: Item) -> float:
    """Always 5: two actions, one condition, two parameters."""
    return float(sum(len(zones) for _pool, zones, _n, _min in POOLS))


def part_label(item: Item, key: str) -> str | None:
    """A zone's name."""
    return ZONE_LABELS.get(key)


FORM = TypeForm("bowtie", (), (
    choice_rows("Condition (exactly one correct)", "Condition", 2, 8, "condition"),
    choice_rows("Actions to take (exactly two correct)", "Action", 3, 8, "actions"),
    choice_rows("Parameters to monitor (exactly two correct)", "Parameter", 3, 8, "parameters"),
), True)

TYPES = (QuestionType("bowtie", "Bowtie", "ngn", validate, public_view, parse, score, max_points,
                      form=FORM, gift=cannot("GIFT has no bowtie question"),
                      qti=cannot("Canvas classic quizzes have no bowtie question"),
                      stats=Stats(part_label=part_label),
                      moodle=cannot("Moodle has no bowtie, and two interchangeable drop-downs would give double "
                                    "credit for the same right answer")),)
