"""Each option's own rationale: the wrong one a learner picked (review) and every option (tutor mode).

Drop-down options, drag-and-drop tokens and matching targets carry their own rationale
(quizzes/option_rationales.py); a slot's part rationale explains only its right answer. An option
without its own rationale is explained by the slot that takes it as its answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .base import Item
from .slots import dropdown_options

# Item type -> the key of its scored slots (each offers options from a pool).
SLOT_KEYS = {"dropdown_cloze": "blanks", "dropdown_rationale": "blanks", "dropdown_table": "rows",
             "dragdrop_cloze": "targets", "dragdrop_rationale": "targets", "matching": "prompts"}
# How a numbered slot without text of its own is named (as slots.slot_parts names it).
SLOT_NOUNS = {"blanks": "Blank", "targets": "Gap", "rows": "Row", "prompts": "Prompt"}
# Bow-tie pools: each option has its own rationale and says whether it is right; parts name only five.
BOWTIE_POOLS = (("condition", "Condition"), ("actions", "Actions to take"),
                ("parameters", "Parameters to monitor"))


@dataclass(frozen=True)
class OptionWhy:
    """One option and its rationale; ``key``: it is the right answer; ``picked``: the learner chose it."""

    id: str
    text: str
    rationale: str
    key: bool
    picked: bool


@dataclass(frozen=True)
class SlotWhys:
    """The options one slot (or bow-tie pool) offers, each with its rationale."""

    id: str
    label: str
    options: tuple[OptionWhy, ...]


def _answer(item: Item, slot: Mapping[str, Any]) -> Any:
    """The option id a slot takes as its answer."""
    return slot.get("match") if item["type"] == "matching" else slot.get("answer")


def _pool(item: Item, slot: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The options a slot offers: the item's tokens or targets, else the drop-down's options."""
    if item["type"] == "matching":
        return list(item["targets"])
    if item["type"].startswith("dragdrop"):
        return list(item["tokens"])
    return list(dropdown_options(item, slot))


def own_rationale(item: Item, slot: Mapping[str, Any], option: Mapping[str, Any]) -> str:
    """An option's own rationale, else that of the slot (this one first) whose answer it is."""
    why = option.get("rationale")
    if isinstance(why, str) and why.strip():
        return why.strip()
    for other in (slot, *item[SLOT_KEYS[item["type"]]]):
        if _answer(item, other) == option["id"]:
            return str(other.get("rationale") or "").strip()
    return ""


def slot_whys(item: Item, slot_id: str, chosen: Any) -> SlotWhys | None:
    """Every option of one slot with its rationale, marking the key and the learner's pick."""
    key = SLOT_KEYS.get(item["type"])
    if key is None:
        return None
    for n, slot in enumerate(item[key], 1):
        if slot["id"] == slot_id:
            answer = _answer(item, slot)
            options = tuple(OptionWhy(o["id"], o["text"], own_rationale(item, slot, o), o["id"] == answer,
                                      o["id"] == chosen) for o in _pool(item, slot))
            return SlotWhys(slot["id"], slot.get("text") or f"{SLOT_NOUNS[key]} {n}", options)
    return None


def part_whys(item: Item, part_id: str, chosen: Any) -> list[SlotWhys]:
    """The slots a scored part covers: its own slot, or each slot of a rationale group."""
    if isinstance(chosen, Mapping):  # a group's chosen maps each of its slots to the pick
        found = [slot_whys(item, str(sid), pick) for sid, pick in chosen.items()]
    else:
        found = [slot_whys(item, part_id, chosen)]
    return [f for f in found if f is not None]


def picked_whys(item: Item, part_id: str, chosen: Any) -> list[tuple[str, str]]:
    """(text, rationale) of each wrong option the learner picked for a part, when it has one."""
    return [(o.text, o.rationale) for s in part_whys(item, part_id, chosen) for o in s.options
            if o.picked and not o.key and o.rationale]


def bowtie_whys(item: Item, picked: Iterable[Any]) -> list[SlotWhys]:
    """Every bow-tie option by pool, with its rationale (its parts name only the five placed)."""
    if item["type"] != "bowtie":
        return []
    chosen = set(picked)
    return [SlotWhys(pool, label, tuple(OptionWhy(o["id"], o["text"], o["rationale"], o.get("correct") is True,
                                                  o["id"] in chosen) for o in item[pool]))
            for pool, label in BOWTIE_POOLS]


def matrix_whys(item: Item) -> list[SlotWhys]:
    """A multiple-response matrix's rows with their rationales: it is scored by column, so the
    columns' rationales explain the parts and the rows' would otherwise go unseen."""
    if item["type"] != "matrix_mr":
        return []
    rows = tuple(OptionWhy(r["id"], r["text"], str(r.get("rationale") or "").strip(), False, False)
                 for r in item["rows"])
    return [SlotWhys("rows", "each row", rows)]
