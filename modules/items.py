"""Parsing and validation of practice and knowledge-check items from section front matter."""

from __future__ import annotations

import html
from typing import Any

from course.content import ContentError
from modules.fields import Fields
from modules.links import FieldRenderer
from modules.scales import SCALES, TRACE_KINDS, Scale
from modules.schema import PRACTICE_TYPES, Option, PracticeItem, Step

BASE_KEYS = frozenset({"id", "type", "prompt", "explanation"})
TYPE_KEYS: dict[str, frozenset[str]] = {
    "ashworth": frozenset({"answer", "why"}),
    "mrc": frozenset({"answer", "why"}),
    "atrophy": frozenset({"answer", "why"}),
    "emg": frozenset({"trace", "answer", "why"}),
    "ladder": frozenset({"steps"}),
    "choice": frozenset({"options"}),
}
ALL_KEYS = BASE_KEYS.union(*TYPE_KEYS.values())


def parse_items(
    parent: Fields, key: str, render: FieldRenderer, minimum: int
) -> tuple[PracticeItem, ...]:
    """Parse the list of items under ``key`` of a section's front matter."""
    raw = parent.sequence(key, minimum)
    return tuple(
        parse_item(data, parent.file, parent.name(f"{key}[{i}]"), render)
        for i, data in enumerate(raw)
    )


def parse_item(data: Any, file: str, path: str, render: FieldRenderer) -> PracticeItem:
    """Validate one item mapping and build its PracticeItem with rendered HTML."""
    kind = Fields(data, file, path, ALL_KEYS).line("type")
    if kind not in PRACTICE_TYPES:
        raise ContentError(
            f"{file}: {path}.type '{kind}' is unknown; use one of {', '.join(PRACTICE_TYPES)}"
        )
    f = Fields(data, file, path, BASE_KEYS | TYPE_KEYS[kind])
    item_id = f.slug("id")
    prompt = render.block(f.text("prompt"), f.name("prompt"))
    explanation = render.block(f.text("explanation"), f.name("explanation"))
    common: dict[str, Any] = {"id": item_id, "type": kind, "prompt_html": prompt, "explanation_html": explanation}
    if kind == "choice":
        return PracticeItem(**common, options=_choice_options(f, render))
    if kind == "ladder":
        return PracticeItem(**common, steps=_ladder_steps(f, render))
    trace = _trace(f) if kind == "emg" else None
    return PracticeItem(**common, options=_scale_options(f, SCALES[kind], render), trace=trace)


def _trace(f: Fields) -> str:
    """Return the trace kind of an ``emg`` item."""
    trace = f.scalar("trace")
    if trace not in TRACE_KINDS:
        raise f.error("trace", f"'{trace}' is not a trace kind; use one of {', '.join(TRACE_KINDS)}")
    return trace


def _scale_options(f: Fields, scale: Scale, render: FieldRenderer) -> tuple[Option, ...]:
    """Build the fixed options of a graded item, marking ``answer`` correct."""
    answer = f.scalar("answer")
    if answer not in scale.values:
        raise f.error("answer", f"'{answer}' is not {scale.noun}")
    whys = f.mapping("why")
    for value, text in whys.items():
        if value not in scale.values:
            raise f.error(f"why.{value}", f"'{value}' is not {scale.noun}")
        if not isinstance(text, str) or not text.strip():
            raise f.error(f"why.{value}", "must be a non-empty string")
    return tuple(
        Option(
            id=value,
            text_html=html.escape(label),
            correct=value == answer,
            why_html=render.inline(whys[value], f.name(f"why.{value}")) if value in whys else "",
        )
        for value, label in scale.choices
    )


def _choice_options(f: Fields, render: FieldRenderer) -> tuple[Option, ...]:
    """Build the authored options of a ``choice`` item: unique ids, exactly one correct."""
    options = []
    for child in f.children("options", ("id", "text", "correct", "why"), minimum=2):
        options.append(Option(
            id=child.slug("id"),
            text_html=render.inline(child.text("text"), child.name("text")),
            correct=child.boolean("correct"),
            why_html=render.inline(child.text("why"), child.name("why")),
        ))
    _require_unique(f, "options", [o.id for o in options])
    correct = sum(o.correct for o in options)
    if correct != 1:
        raise f.error("options", f"must have exactly one correct option, not {correct}")
    return tuple(options)


def _ladder_steps(f: Fields, render: FieldRenderer) -> tuple[Step, ...]:
    """Build the steps of a ``ladder`` item in their correct order."""
    steps = tuple(
        Step(id=child.slug("id"), text_html=render.inline(child.text("text"), child.name("text")))
        for child in f.children("steps", ("id", "text"), minimum=2)
    )
    _require_unique(f, "steps", [s.id for s in steps])
    return steps


def _require_unique(f: Fields, key: str, ids: list[str]) -> None:
    """Reject duplicate ids in one list."""
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise f.error(key, f"repeats the id '{i}'")
        seen.add(i)
