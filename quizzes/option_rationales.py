"""The missing-rationale rule: every option a learner can pick wrongly explains itself at review.

The type validators already insist on a rationale for every option of the choice, ordering,
highlight and bow-tie types and for every scored slot. Drop-down options, drag-and-drop tokens and
matching targets may omit theirs (SCHEMA.md), so the content check applies the stricter rule here:
- a drop-down option needs its own rationale unless it is the answer of the drop-down offering it
  (a table's shared options are offered to every row, so each needs one when there are 2+ rows);
- a token or matching target needs one unless a target or prompt takes it as its answer, whose
  own rationale then explains it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from course.content import ContentError
from quizzes.bank_loader import Bank, get_bank

DROPDOWN_SLOTS = {"dropdown_cloze": "blanks", "dropdown_rationale": "blanks", "dropdown_table": "rows"}
TOKEN_TYPES = ("dragdrop_cloze", "dragdrop_rationale")


def _explained(option: Mapping[str, Any]) -> bool:
    """An option carries a non-blank rationale of its own."""
    why = option.get("rationale")
    return isinstance(why, str) and bool(why.strip())


def _dropdowns(item: Mapping[str, Any], key: str) -> list[str]:
    """Unexplained options of each drop-down; a shared table option is named once."""
    slots = item.get(key) or []
    shared = item.get("options") or []
    found = [f"options[{o['id']}]" for o in shared
             if not _explained(o) and any(s.get("answer") != o["id"] for s in slots if not s.get("options"))]
    for slot in slots:
        found += [f"{key}[{slot['id']}].options[{o['id']}]" for o in slot.get("options") or []
                  if o["id"] != slot.get("answer") and not _explained(o)]
    return found


def _pool(options: Iterable[Mapping[str, Any]], used: set[Any], key: str) -> list[str]:
    """Unexplained entries of a pool that no slot takes as its answer."""
    return [f"{key}[{o['id']}]" for o in options if o["id"] not in used and not _explained(o)]


def missing(item: Mapping[str, Any]) -> list[str]:
    """Paths of the options in one validated item that have no rationale of their own."""
    kind = item.get("type")
    if kind in DROPDOWN_SLOTS:
        return _dropdowns(item, DROPDOWN_SLOTS[kind])
    if kind in TOKEN_TYPES:
        return _pool(item["tokens"], {t["answer"] for t in item["targets"]}, "tokens")
    if kind == "matching":
        return _pool(item["targets"], {p["match"] for p in item["prompts"]}, "targets")
    return []


def check_items(items: Collection[Mapping[str, Any]], where: str) -> int:
    """Count the options checked; raise ContentError naming every item and option without a rationale."""
    gaps = {item["id"]: missing(item) for item in items}
    gaps = {ident: paths for ident, paths in gaps.items() if paths}
    if gaps:
        lines = [f"  item {ident}: {', '.join(paths)}" for ident, paths in gaps.items()]
        raise ContentError(f"{where}: {sum(map(len, gaps.values()))} option(s) in {len(gaps)} item(s) have no "
                           "rationale of their own (every option a learner can pick wrongly needs one; "
                           "SCHEMA.md 'Rationales'):\n" + "\n".join(lines))
    return sum(map(_pooled, items))


def _pooled(item: Mapping[str, Any]) -> int:
    """How many drop-down options, tokens or matching targets an item offers."""
    kind = item.get("type")
    if kind in DROPDOWN_SLOTS:
        slots = item.get(DROPDOWN_SLOTS[kind]) or []
        return len(item.get("options") or []) + sum(len(s.get("options") or []) for s in slots)
    if kind in TOKEN_TYPES:
        return len(item["tokens"])
    return len(item["targets"]) if kind == "matching" else 0


def check_bank(bank: Bank | None = None) -> dict[str, Any]:
    """The shipped bank's content check: standalone and case-study items alike."""
    bank = get_bank() if bank is None else bank
    return {"bank_options_explained": check_items(list(bank.items.values()), "quizzes/bank")}
