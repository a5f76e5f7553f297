"""Pure choice of a learner's practice quiz: filter the bank by module, NCJMM step and type, pick N."""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MIN_LENGTH, MAX_LENGTH = 5, 50  # fewer is not worth a quiz; more is an exam, not practice


@dataclass(frozen=True)
class Filters:
    """What the learner asked for; an empty string means any."""

    module: str = ""
    step: str = ""
    kind: str = ""
    length: int = 10


def matches(item: Mapping[str, Any], filters: Filters) -> bool:
    """Whether an item fits the module (topic), NCJMM step and item type asked for."""
    return ((not filters.module or item.get("topic") == filters.module)
            and (not filters.step or item.get("cjmm") == filters.step)
            and (not filters.kind or item.get("type") == filters.kind))


def choose(candidates: Sequence[tuple[int, Mapping[str, Any]]], filters: Filters, seed: str) -> list[int]:
    """Version ids of up to ``filters.length`` matching items, in a seeded random order."""
    found = sorted({vid for vid, item in candidates if matches(item, filters)})
    random.Random(seed).shuffle(found)
    return found[:max(0, filters.length)]


def layout(version_ids: Sequence[int]) -> list[dict[str, Any]]:
    """An attempt-shaped layout: one standalone position per chosen version, from 1."""
    return [{"position": n, "question_version_id": vid, "case_study_id": None, "stage": None}
            for n, vid in enumerate(version_ids, 1)]


def title(filters: Filters, names: Mapping[str, str]) -> str:
    """A practice quiz's title from what it was built of, e.g. "Practice: Spasticity, Take action"."""
    parts = [names.get(v, v) for v in (filters.module, filters.step, filters.kind) if v]
    return "Practice: " + (", ".join(parts) if parts else "the whole bank")
