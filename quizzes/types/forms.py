"""Defensive readers for posted forms and stored responses, and seeded shuffling for views."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from .base import Item

T = TypeVar("T")


def values(form: Any, name: str) -> list[str]:
    """All string values posted under ``name``; anything malformed counts as nothing posted."""
    if not isinstance(form, Mapping):
        return []
    try:
        # A werkzeug MultiDict's get() returns only the first value; getlist() returns all.
        getlist = getattr(form, "getlist", None)
        raw = getlist(name) if callable(getlist) else form.get(name)
    except Exception:  # a hostile Mapping must not break parsing
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, (list, tuple)):
        return []
    return [v.strip() for v in raw if isinstance(v, str) and v.strip()]


def known(form: Any, name: str, allowed: Iterable[str]) -> list[str]:
    """Posted values under ``name`` that are known ids, deduplicated, in posting order."""
    allowed = set(allowed)
    seen: list[str] = []
    for v in values(form, name):
        if v in allowed and v not in seen:
            seen.append(v)
    return seen


def one(form: Any, name: str, allowed: Iterable[str]) -> tuple[str | None, bool]:
    """The single known id posted under ``name`` and whether more than one was posted."""
    found = known(form, name, allowed)
    return (found[0] if len(found) == 1 else None), len(found) > 1


def as_map(response: Any) -> Mapping[str, Any]:
    """A stored response as a mapping; any other shape is an empty response."""
    return response if isinstance(response, Mapping) else {}


def pick(value: Any, allowed: Iterable[str]) -> str | None:
    """A stored single choice if it is one of the allowed ids, else None."""
    return value if isinstance(value, str) and value in set(allowed) else None


def pick_many(value: Any, allowed: Iterable[str]) -> list[str]:
    """Stored multiple choices restricted to allowed ids, deduplicated, order kept."""
    if not isinstance(value, (list, tuple)):
        return []
    allowed = set(allowed)
    out: list[str] = []
    for v in value:
        if isinstance(v, str) and v in allowed and v not in out:
            out.append(v)
    return out


def shuffled(seq: Sequence[T], seed: str, salt: str) -> list[T]:
    """A copy of ``seq`` in an order fixed by (seed, salt), so reloading a page keeps it."""
    out = list(seq)
    # str seeds are hashed with SHA-512 by random, so the order survives restarts.
    random.Random(f"{seed}|{salt}").shuffle(out)
    return out


def maybe_shuffled(item: Item, seq: Sequence[T], seed: str, salt: str, *, default: bool = True) -> list[T]:
    """Shuffle ``seq`` only when the item allows it."""
    if item.get("shuffle", default) is True:
        return shuffled(seq, seed, f"{item.get('id')}|{salt}")
    return list(seq)


def public_base(item: Item) -> dict[str, Any]:
    """The fields every public view carries."""
    return {"id": item["id"], "type": item["type"], "stem": item["stem"]}


def id_text(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Copies of option-like entries that keep only id and text."""
    return [{"id": e["id"], "text": e["text"]} for e in entries]
