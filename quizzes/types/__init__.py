"""Registry of question types: validation, key-free public views, form parsing and NCSBN scoring."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from course.content import ContentError

from . import (
    bowtie,
    choice,
    cloze,
    essay,
    highlight,
    matching,
    matrix,
    numeric,
    ordering,
    rationale,
    short_answer,
)
from .base import (
    CJMM_STEPS,
    TOPIC_TITLES,
    TOPICS,
    Item,
    ParseResult,
    PartResult,
    QuestionType,
    ScoreResult,
)

REGISTRY: dict[str, QuestionType] = {
    qt.name: qt
    for module in (choice, matching, ordering, matrix, cloze, highlight, bowtie, rationale, numeric,
                   short_answer, essay)
    for qt in module.TYPES
}

__all__ = [
    "CJMM_STEPS",
    "REGISTRY",
    "TOPICS",
    "TOPIC_TITLES",
    "ContentError",
    "ParseResult",
    "PartResult",
    "QuestionType",
    "ScoreResult",
    "get_type",
    "validate_item",
]


def get_type(item: Any, where: str = "item") -> QuestionType:
    """The registry entry for an item's ``type``; a ContentError names the known types."""
    name = item.get("type") if isinstance(item, Mapping) else None
    if not isinstance(name, str) or name not in REGISTRY:
        raise ContentError(f"{where}: type: {name!r} is not a known type ({', '.join(sorted(REGISTRY))})")
    return REGISTRY[name]


def validate_item(item: Item, where: str = "item") -> None:
    """Validate any item by dispatching on its type."""
    get_type(item, where).validate(item, where)
