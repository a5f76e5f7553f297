"""Pure attempt layout: which question versions an attempt shows, in which order (seeded)."""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from quizzes.types.forms import shuffled


@dataclass(frozen=True)
class Block:
    """Consecutive layout entries that stay together (one question, or a whole case study)."""

    entries: tuple[dict[str, Any], ...]
    movable: bool = True  # standalone questions may be shuffled; case studies keep their place


@dataclass(frozen=True)
class RandomSlot:
    """A slot that draws ``count`` questions at random from a pool of version ids."""

    count: int
    pool: Sequence[int] = field(default_factory=tuple)


def entry(version_id: int, case_study_id: str | None = None,
          stage: str | None = None) -> dict[str, Any]:
    """One layout entry before its position is known."""
    return {"question_version_id": version_id, "case_study_id": case_study_id, "stage": stage}


def draw(slot: RandomSlot, seed: str, salt: str, exclude: set[int]) -> list[Block]:
    """The questions a random slot contributes to one attempt (fewer if the pool is small)."""
    pool = sorted(v for v in set(slot.pool) if v not in exclude)
    chosen = random.Random(f"{seed}|{salt}").sample(pool, min(slot.count, len(pool)))
    return [Block((entry(v),)) for v in chosen]


def arrange(blocks: Sequence[Block], seed: str, shuffle: bool) -> list[dict[str, Any]]:
    """Flatten blocks into numbered entries; with ``shuffle`` movable blocks trade places."""
    order = list(blocks)
    if shuffle:
        places = [i for i, b in enumerate(order) if b.movable]
        moved = shuffled([order[i] for i in places], seed, "quiz-order")
        for place, block in zip(places, moved):
            order[place] = block
    layout: list[dict[str, Any]] = []
    for block in order:
        for item in block.entries:
            layout.append({"position": len(layout) + 1, **item})
    return layout
