"""Ordered response: put steps in order, scored per position or all-or-nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import quizzes.types.checks as checks

from .base import (
    WRITTEN,
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
from .form_spec import ID, TEXT, WHY, Rows, Scalar, TypeForm
from .forms import as_map, public_base, shuffled, values

SCORING = ("per_position", "all_or_nothing")


def all_or_nothing(item: Item) -> bool:
    """NCLEX's rule: one point for the whole order. Without ``scoring`` (an item saved before the
    setting existed) an item keeps per-position credit, so scores already given stand."""
    return item.get("scoring") == "all_or_nothing"


def public_id(item: Item, option_id: str) -> str:
    """An opaque id for an option, so authored ids (often a, b, c in order) do not leak the key."""
    digest = hashlib.sha256(f"{item['id']}|{option_id}".encode()).hexdigest()
    return f"s{digest[:10]}"


def _key(item: Item) -> list[str]:
    """Option ids in the correct order (the authored order)."""
    return [o["id"] for o in item["options"]]


def validate(item: Item, where: str) -> None:
    """Two to eight steps in the correct order, each with a rationale."""
    checks.common(item, where, "ordering", {"options"}, {"scoring"}, shuffle_ok=False)
    seq = checks.entries(item, "options", where, min_n=2, max_n=8)
    checks.unique_ids(seq, where, "options", {"id", "text", "rationale"})
    for i, entry in enumerate(seq):
        checks.rationale(entry, where, f"options[{i}]")
    if "scoring" in item and item["scoring"] not in SCORING:
        checks.fail(where, "scoring", f"{item['scoring']!r} is not one of {', '.join(SCORING)}")


def public_view(item: Item, seed: str) -> dict[str, Any]:
    """Steps scrambled by seed, never in the correct order, under opaque ids."""
    order = shuffled(item["options"], seed, f"{item['id']}|order")
    if [o["id"] for o in order] == _key(item):
        order = order[1:] + order[:1]  # rotating a list of 2+ distinct steps always changes it
    view = public_base(item)
    view["options"] = [{"id": public_id(item, o["id"]), "text": o["text"]} for o in order]
    view["positions"] = len(order)
    return view


def parse(item: Item, form: Form, prefix: str) -> ParseResult:
    """Read ``{prefix}pos-1`` .. ``{prefix}pos-N``; a step used twice keeps its first place."""
    lookup = {public_id(item, i): i for i in _key(item)} | {i: i for i in _key(item)}
    order: list[str | None] = []
    problems: tuple[str, ...] = ()
    for n in range(1, len(item["options"]) + 1):
        found = [lookup[v] for v in values(form, f"{prefix}pos-{n}") if v in lookup]
        step = found[0] if found else None
        if step is not None and step in order:
            problems, step = ("Use each step only once.",), None
        order.append(step)
    return ParseResult({"order": order}, problems)


def _chosen_order(item: Item, response: Any) -> list[str | None]:
    """The stored order, padded or cut to the number of steps, junk replaced by None."""
    raw = as_map(response).get("order")
    raw = list(raw) if isinstance(raw, (list, tuple)) else []
    ids = set(_key(item))
    size = len(item["options"])
    return [(v if isinstance(v, str) and v in ids else None) for v in (raw + [None] * size)[:size]]


def score(item: Item, response: Any) -> ScoreResult:
    """Per position: 1 point per step in its place. All or nothing: 1 point for a perfect order."""
    chosen, key = _chosen_order(item, response), _key(item)
    if all_or_nothing(item):
        right = chosen == key
        why = "\n".join(f"{n}. {o['text']}: {o['rationale']}" for n, o in enumerate(item["options"], 1))
        return total([PartResult("order", "Whole order", 1.0 if right else 0.0, 1.0, right, chosen, key, why)])
    parts = []
    for n, (got, opt) in enumerate(zip(chosen, item["options"]), 1):
        right = got == opt["id"]
        parts.append(PartResult(f"pos-{n}", f"Position {n}", 1.0 if right else 0.0, 1.0, right, got,
                                opt["id"], opt["rationale"]))
    return total(parts)


def max_points(item: Item) -> float:
    """Number of steps, or 1 when scored all-or-nothing."""
    return 1.0 if all_or_nothing(item) else float(len(item["options"]))


def counted(item: Item, response: Mapping[str, Any]) -> dict[str, Any]:
    """Ordering answers are counted per position, which is how they are scored."""
    return {f"position {i + 1}": step for i, step in enumerate(response.get("order") or [])}


def part_label(item: Item, key: str) -> str | None:
    """A counted position in words."""
    return key.capitalize() if key.startswith("position ") else None


FORM = TypeForm("ordering", (
    # All or nothing comes first, so a new item starts with NCLEX's rule.
    Scalar("scoring", "Scoring", "choice", choices=(("all_or_nothing", "All or nothing: 1 point for the whole order"),
                                                     ("per_position", "One point per step in its place")),
           help="NCLEX ordered-response items are all or nothing; per position suits teaching sequences."),
), (Rows("options", "Steps, in the correct order", "Step", (ID, TEXT, WHY), 2, 8,
         "Learners always see the steps scrambled."),), False)

TYPES = (QuestionType("ordering", "Ordered response", "classic", validate, public_view, parse, score, max_points,
                      form=FORM, gift=cannot("GIFT has no ordering question"),
                      qti=cannot("Canvas classic quizzes have no ordering question in QTI 1.2"),
                      stats=Stats(counted=counted, part_label=part_label), moodle=WRITTEN),)
