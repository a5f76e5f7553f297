"""Rationale types (dyad and triad): a group of linked blanks earns 1 point only when all are right."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import quizzes.types.checks as checks
import quizzes.types.slots as slots

from .base import (
    PLAIN_STATS,
    Form,
    Item,
    ParseResult,
    PartResult,
    QuestionType,
    ScoreResult,
    cannot,
    total,
)
from .cloze import public_dragdrop_cloze, public_dropdown_cloze
from .form_spec import BLANKS, CLOZE_TEXT, GROUPS, REUSE, TARGETS, TOKENS, TypeForm


def _check_groups(item: Item, where: str, slot_ids: list[str]) -> None:
    """Groups are lists of 2+ distinct known slots, cover every slot, and do not repeat."""
    groups = item["groups"]
    if not isinstance(groups, list) or not groups:
        checks.fail(where, "groups", "must be a non-empty list of lists of blank or target ids")
    seen: list[list[str]] = []
    for i, group in enumerate(groups):
        if not isinstance(group, list) or len(group) < 2 or len(set(map(str, group))) != len(group):
            checks.fail(where, f"groups[{i}]", f"must list 2 or more different ids, not {group!r}")
        unknown = [g for g in group if g not in slot_ids]
        if unknown:
            checks.fail(where, f"groups[{i}]", f"{unknown[0]!r} is not a declared blank or target")
        if sorted(group) in seen:
            checks.fail(where, f"groups[{i}]", "repeats an earlier group")
        seen.append(sorted(group))
    missing = [s for s in slot_ids if not any(s in g for g in groups)]
    if missing:
        checks.fail(where, "groups", f"{missing[0]!r} is in no group, so it could never score")


def _group_parts(item: Item, key: str, chosen: Mapping[str, str | None]) -> list[PartResult]:
    """1 point per group whose every slot holds its answer."""
    slot_by_id = {s["id"]: s for s in item[key]}
    parts = []
    for n, group in enumerate(item["groups"], 1):
        got = {sid: chosen.get(sid) for sid in group}
        expected = {sid: slot_by_id[sid]["answer"] for sid in group}
        right = got == expected
        why = " ".join(slot_by_id[sid]["rationale"].strip() for sid in group)
        parts.append(PartResult(f"group-{n}", f"Link {n}: " + " + ".join(group),
                                1.0 if right else 0.0, 1.0, right, got, expected, why))
    return parts


def _groups(item: Item) -> float:
    """One point per group."""
    return float(len(item["groups"]))


def validate_dropdown(item: Item, where: str) -> None:
    """A drop-down cloze whose blanks are linked into scoring groups."""
    checks.common(item, where, "dropdown_rationale", {"text", "blanks", "groups"}, shuffle_ok=False)
    ids = slots.validate_dropdowns(item, where, "blanks")
    slots.check_text(item, where, ids)
    _check_groups(item, where, ids)


def parse_dropdown(item: Item, form: Form, prefix: str) -> ParseResult:
    """Read ``{prefix}blank-<blank_id>``."""
    return slots.parse_dropdowns(item, form, prefix, "blanks", "blank")


def score_dropdown(item: Item, response: Any) -> ScoreResult:
    """Rationale scoring over drop-down blanks."""
    return total(_group_parts(item, "blanks", slots.dropdown_choices(item, response, "blanks")))


def validate_dragdrop(item: Item, where: str) -> None:
    """A drag-and-drop cloze whose targets are linked into scoring groups."""
    checks.common(item, where, "dragdrop_rationale", {"text", "tokens", "targets", "groups"},
                  {"reuse_tokens"}, shuffle_ok=False)
    ids = slots.validate_targets(item, where)
    slots.check_text(item, where, ids)
    _check_groups(item, where, ids)


def score_dragdrop(item: Item, response: Any) -> ScoreResult:
    """Rationale scoring over drop targets."""
    return total(_group_parts(item, "targets", slots.target_choices(item, response)))

# Moodle scores every gap on its own; a cause and its effect must be scored together.
NO_MOODLE = cannot("Moodle scores each gap of a cloze or drag-and-drop question on its own and cannot score "
                   "blanks together in groups")

TYPES = (
    QuestionType("dropdown_rationale", "Drop-down rationale", "ngn", validate_dropdown, public_dropdown_cloze,
                 parse_dropdown, score_dropdown, _groups,
                 form=TypeForm("dropdown_rationale", (CLOZE_TEXT, GROUPS), (BLANKS,), False),
                 gift=cannot("GIFT cannot score blanks together in groups"),
                 qti=cannot("Canvas multiple dropdowns cannot score blanks together in groups"), stats=PLAIN_STATS,
                 moodle=NO_MOODLE),
    QuestionType("dragdrop_rationale", "Drag-and-drop rationale", "ngn", validate_dragdrop, public_dragdrop_cloze,
                 slots.parse_targets, score_dragdrop, _groups,
                 form=TypeForm("dragdrop_rationale", (CLOZE_TEXT, GROUPS, REUSE), (TOKENS, TARGETS), False),
                 gift=cannot("GIFT has no drag-and-drop question"),
                 qti=cannot("Canvas classic quizzes have no drag-and-drop question"), stats=PLAIN_STATS,
                 moodle=NO_MOODLE),
)
