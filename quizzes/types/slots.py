"""Blanks and drop targets inside cloze text: shared checks, form reading and 0/1 marking."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import quizzes.types.checks as checks

from .base import Form, Item, ParseResult, PartResult
from .forms import as_map, id_text, one, pick

PLACEHOLDER_RE = re.compile(r"\[\[([^\[\]]*)\]\]")


def check_text(item: Item, where: str, slot_ids: list[str]) -> None:
    """The cloze text must hold every slot exactly once and no unknown placeholder."""
    body = checks.text(item, "text", where, "") or ""
    found = PLACEHOLDER_RE.findall(body)
    for name in found:
        if name not in slot_ids:
            checks.fail(where, "text", f"placeholder [[{name}]] names no declared blank or target")
    for ident in slot_ids:
        if found.count(ident) != 1:
            checks.fail(where, "text", f"[[{ident}]] must appear exactly once, found {found.count(ident)}")


def segments(item: Item, slot_views: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Split the cloze text into text pieces and slot views, in reading order."""
    out: list[dict[str, Any]] = []
    pos = 0
    for match in PLACEHOLDER_RE.finditer(item["text"]):
        if match.start() > pos:
            out.append({"kind": "text", "text": item["text"][pos:match.start()]})
        out.append(slot_views[match.group(1)])
        pos = match.end()
    if pos < len(item["text"]):
        out.append({"kind": "text", "text": item["text"][pos:]})
    return out


def validate_dropdowns(item: Item, where: str, key: str, default_options: Any = None) -> list[str]:
    """Dropdowns of {id, answer, rationale, options?}; options may come from a shared list."""
    seq = checks.entries(item, key, where, min_n=1, max_n=20)
    optional = {"options"} if default_options is not None else set()
    required = ({"id", "answer", "rationale"} | ({"text"} if key == "rows" else set())
                | ({"options"} if default_options is None else set()))
    ids = checks.unique_ids(seq, where, key, required, optional)
    for i, entry in enumerate(seq):
        path = f"{key}[{i}]"
        checks.rationale(entry, where, path)
        option_ids = checks.plain_options(entry.get("options", default_options), where, f"{path}.options")
        if entry["answer"] not in option_ids:
            checks.fail(where, f"{path}.answer", f"{entry['answer']!r} is not one of its option ids")
    return ids


def validate_targets(item: Item, where: str) -> list[str]:
    """A token pool and targets whose answers are token ids (distinct unless tokens are reusable)."""
    tokens = checks.plain_options(item.get("tokens"), where, "tokens")
    seq = checks.entries(item, "targets", where, min_n=1, max_n=20)
    ids = checks.unique_ids(seq, where, "targets", {"id", "answer", "rationale"})
    reuse = checks.flag(item, "reuse_tokens", where, "")
    answers: list[Any] = []
    for i, entry in enumerate(seq):
        checks.rationale(entry, where, f"targets[{i}]")
        if entry["answer"] not in tokens:
            checks.fail(where, f"targets[{i}].answer", f"{entry['answer']!r} is not a token id")
        if entry["answer"] in answers and not reuse:
            checks.fail(where, f"targets[{i}].answer", "repeats a token; set reuse_tokens: true to allow that")
        answers.append(entry["answer"])
    return ids


def dropdown_options(item: Item, entry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A dropdown's own options, or the item's shared ones."""
    return entry.get("options") or item.get("options") or []


def parse_dropdowns(item: Item, form: Form, prefix: str, key: str, field: str) -> ParseResult:
    """Read ``{prefix}<field>-<id>`` = option id for each dropdown."""
    response: dict[str, Any] = {}
    problems: list[str] = []
    for n, entry in enumerate(item[key], 1):
        allowed = [o["id"] for o in dropdown_options(item, entry)]
        choice, several = one(form, f"{prefix}{field}-{entry['id']}", allowed)
        response[entry["id"]] = choice
        if several:
            problems.append(f"Choose one option for {field} {n}.")
    return ParseResult(response, tuple(problems))


def parse_targets(item: Item, form: Form, prefix: str) -> ParseResult:
    """Read ``{prefix}target-<id>`` = token id; a token used twice is kept only the first time."""
    tokens = [t["id"] for t in item["tokens"]]
    reuse = item.get("reuse_tokens", False) is True
    response: dict[str, Any] = {}
    problems: list[str] = []
    for target in item["targets"]:
        choice, several = one(form, f"{prefix}target-{target['id']}", tokens)
        if several:
            problems.append("Put only one word in each gap.")
        if choice is not None and not reuse and choice in response.values():
            problems.append("Use each word only once.")
            choice = None
        response[target["id"]] = choice
    return ParseResult(response, tuple(dict.fromkeys(problems)))


def dropdown_choices(item: Item, response: Any, key: str) -> dict[str, str | None]:
    """The stored choice per dropdown, junk replaced by None."""
    answers = as_map(response)
    return {e["id"]: pick(answers.get(e["id"]), [o["id"] for o in dropdown_options(item, e)]) for e in item[key]}


def target_choices(item: Item, response: Any) -> dict[str, str | None]:
    """The stored token per target, junk replaced by None."""
    answers = as_map(response)
    tokens = [t["id"] for t in item["tokens"]]
    return {t["id"]: pick(answers.get(t["id"]), tokens) for t in item["targets"]}


def slot_parts(entries: list[Mapping[str, Any]], chosen: Mapping[str, str | None], label: str) -> list[PartResult]:
    """0/1 per slot; the label is numbered unless the entry has its own text."""
    parts = []
    for n, entry in enumerate(entries, 1):
        got = chosen.get(entry["id"])
        right = got == entry["answer"]
        name = entry.get("text") or f"{label} {n}"
        parts.append(PartResult(entry["id"], name, 1.0 if right else 0.0, 1.0, right, got,
                                entry["answer"], entry["rationale"]))
    return parts


def dropdown_view(item: Item, entry: Mapping[str, Any]) -> dict[str, Any]:
    """Public view of one dropdown blank."""
    return {"kind": "blank", "id": entry["id"], "options": id_text(dropdown_options(item, entry))}
