"""View models for instructor previews: the learner rendering of an item and its full review."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from quizzes.bank_loader import get_bank
from quizzes.taking.pages import case_view, question_view, review_view
from quizzes.types import REGISTRY

PREVIEW_SEED = "preview"


def item_preview(item: Mapping[str, Any], *, position: int = 1, seed: str = PREVIEW_SEED,
                 response: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The learner's view of an item (key-free) and the review an instructor reads with it.

    Without a response the review lists every part's correct answer and rationale; with one
    (a checked preview) it shows what that answer would have scored.
    """
    qtype = REGISTRY[item["type"]]
    result = qtype.score(item, response or {})
    parts = [asdict(p) for p in result.parts]
    return {
        "q": question_view(item, seed, position, response),
        "review": review_view(item, position, parts, result.points if response is not None else None,
                              result.max_points, True, True),
        "answered": response is not None,
    }


def layout_preview(entry: Mapping[str, Any], item: Mapping[str, Any], seed: str,
                   response: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One position of a previewed quiz: the item preview plus its case-study chart, if any."""
    preview = item_preview(item, position=int(entry["position"]), seed=seed, response=response)
    preview["case"] = case_view(get_bank(), entry.get("case_study_id"), entry.get("stage"))
    return preview
