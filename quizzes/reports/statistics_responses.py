"""Response frequencies per part and option, and choosing which attempts feed the statistics."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

A = TypeVar("A")
U = TypeVar("U", bound=Hashable)

# Key under which a part that was left blank is counted.
NO_RESPONSE = "(no response)"

WHICH_ATTEMPTS = ("first", "highest", "last", "all")


def response_frequencies(responses: Iterable[Mapping[str, object]]) -> dict[str, dict[Hashable, int]]:
    """Count how often each value was chosen, per part, over many responses.

    Each response maps a part id to what was chosen. A list, tuple or set counts each of its
    members (multiple response); a nested mapping (matching, cloze blanks) is flattened into
    ``part.subpart`` keys; None or an empty collection counts as :data:`NO_RESPONSE`.
    Parts and values keep the order in which they were first seen.
    """
    counts: dict[str, dict[Hashable, int]] = {}
    for response in responses:
        for part, value in _flatten(response, ""):
            bucket = counts.setdefault(part, {})
            for choice in _choices(value):
                bucket[choice] = bucket.get(choice, 0) + 1
    return counts


def _flatten(response: Mapping[Any, object], prefix: str) -> Iterable[tuple[str, object]]:
    """Yield (dotted part key, leaf value) pairs from a possibly nested mapping."""
    for key, value in response.items():
        part = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, part + ".")
        else:
            yield part, value


def _choices(value: object) -> list[Hashable]:
    """The countable values inside one leaf of a response."""
    if value is None or value == "":
        return [NO_RESPONSE]
    if isinstance(value, (list, tuple, set, frozenset)):
        members = [_hashable(v) for v in value if v is not None and v != ""]
        return members or [NO_RESPONSE]
    return [_hashable(value)]


def _hashable(value: object) -> Hashable:
    """Use the value itself as a key when possible, else its repr, so nothing raises."""
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _default_score(attempt: object) -> float | None:
    """Read an attempt's score from a ``score`` attribute or a ``"score"`` key."""
    if hasattr(attempt, "score"):
        return attempt.score
    if isinstance(attempt, Mapping) and "score" in attempt:
        return attempt["score"]
    raise TypeError("attempt has no 'score'; pass score_of= to select_attempts")


def select_attempts(
    attempts_by_user: Mapping[U, Sequence[A]],
    which: str,
    *,
    score_of: Callable[[A], float | None] | None = None,
) -> list[A]:
    """Pick the attempts to analyse, like Moodle's "attempts to analyse" setting.

    Each user's sequence must be in chronological order. ``first`` and ``last`` take one attempt
    per user by position; ``highest`` takes the best score (the earliest on a tie; attempts with
    no score are ignored); ``all`` keeps every attempt, each treated as independent, which
    Moodle's docs warn may break the assumptions of item analysis.
    """
    if which not in WHICH_ATTEMPTS:
        raise ValueError(f"which must be one of {', '.join(WHICH_ATTEMPTS)}, not {which!r}")
    score = score_of or _default_score
    chosen: list[A] = []
    for attempts in attempts_by_user.values():
        if not attempts:
            continue
        if which == "first":
            chosen.append(attempts[0])
        elif which == "last":
            chosen.append(attempts[-1])
        elif which == "all":
            chosen.extend(attempts)
        else:
            best = _highest(attempts, score)
            if best is not None:
                chosen.append(best)
    return chosen


def _highest(attempts: Sequence[A], score: Callable[[A], float | None]) -> A | None:
    """The earliest attempt with the top score, or None when no attempt has a score."""
    best: A | None = None
    best_score: float | None = None
    for attempt in attempts:
        value = score(attempt)
        if value is not None and (best_score is None or value > best_score):
            best, best_score = attempt, value
    return best
