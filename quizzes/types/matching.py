"""Matching: pair each prompt with a target, 0/1 per prompt."""

from __future__ import annotations

from typing import Any

import quizzes.types.checks as checks

from .base import (
    PLAIN_STATS,
    WRITTEN,
    Form,
    Item,
    ParseResult,
    PartResult,
    QuestionType,
    ScoreResult,
    total,
)
from .form_spec import ID, TEXT, WHY, Col, Rows, TypeForm
from .forms import as_map, id_text, maybe_shuffled, one, pick, public_base


def _target_ids(item: Item) -> list[str]:
    """Ids of the targets prompts can be paired with."""
    return [t["id"] for t in item["targets"]]


def validate(item: Item, where: str) -> None:
    """Prompts that each name a known target; targets are plain {id, text}."""
    checks.common(item, where, "matching", {"prompts", "targets"})
    targets = checks.entries(item, "targets", where, min_n=2, max_n=12)
    target_ids = checks.unique_ids(targets, where, "targets", {"id", "text"}, {"rationale"})
    prompts = checks.entries(item, "prompts", where, min_n=2, max_n=12)
    checks.unique_ids(prompts, where, "prompts", {"id", "text", "match", "rationale"})
    for i, prompt in enumerate(prompts):
        checks.rationale(prompt, where, f"prompts[{i}]")
        if prompt["match"] not in target_ids:
            checks.fail(where, f"prompts[{i}].match", f"{prompt['match']!r} is not a target id")


def public_view(item: Item, seed: str) -> dict[str, Any]:
    """Prompts and targets, each shuffled when allowed, without the pairs."""
    view = public_base(item)
    view["prompts"] = maybe_shuffled(item, id_text(item["prompts"]), seed, "prompts")
    view["targets"] = maybe_shuffled(item, id_text(item["targets"]), seed, "targets")
    return view


def parse(item: Item, form: Form, prefix: str) -> ParseResult:
    """Read ``{prefix}pair-<prompt_id>`` = target id for each prompt."""
    response: dict[str, Any] = {}
    problems: list[str] = []
    for prompt in item["prompts"]:
        choice, several = one(form, f"{prefix}pair-{prompt['id']}", _target_ids(item))
        response[prompt["id"]] = choice
        if several:
            problems.append(f"Choose one match for \u201c{prompt['text']}\u201d.")
    return ParseResult(response, tuple(problems))


def score(item: Item, response: Any) -> ScoreResult:
    """1 point per prompt paired with its target."""
    answers = as_map(response)
    texts = {t["id"]: t["text"] for t in item["targets"]}
    parts = []
    for prompt in item["prompts"]:
        got = pick(answers.get(prompt["id"]), texts)
        right = got == prompt["match"]
        parts.append(PartResult(prompt["id"], prompt["text"], 1.0 if right else 0.0, 1.0, right, got,
                                prompt["match"], prompt["rationale"]))
    return total(parts)


def max_points(item: Item) -> float:
    """One point per prompt."""
    return float(len(item["prompts"]))


FORM = TypeForm("matching", (), (
    Rows("prompts", "Prompts", "Prompt", (ID, TEXT, Col("match", "Matching target id", "ref"), WHY), 2, 12),
    Rows("targets", "Targets", "Target", (ID, TEXT), 2, 12, "Targets may outnumber prompts."),
), True)

TYPES = (QuestionType("matching", "Matching", "classic", validate, public_view, parse, score, max_points,
                      form=FORM, gift=WRITTEN, qti=WRITTEN, stats=PLAIN_STATS, moodle=WRITTEN),)
