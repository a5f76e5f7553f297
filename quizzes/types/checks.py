"""Validation helpers shared by every question type; each failure names the item and field."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NoReturn

from course.content import ContentError

from .base import CJMM_STEPS, TOPICS, Item

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SUB_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")

COMMON_REQUIRED = frozenset({"id", "type", "topic", "stem"})
COMMON_OPTIONAL = frozenset({"title", "cjmm", "stage", "shuffle", "sources"})


def fail(where: str, field: str, message: str) -> NoReturn:
    """Raise the shared content error with the item location and field path up front."""
    raise ContentError(f"{where}: {field}: {message}" if field else f"{where}: {message}")


def check_keys(obj: Any, where: str, field: str, required: Iterable[str],
               optional: Iterable[str] = ()) -> Mapping[str, Any]:
    """Insist on a mapping holding every required key and nothing unknown; return it."""
    if not isinstance(obj, Mapping):
        fail(where, field, f"must be a mapping, not {type(obj).__name__}")
    required = set(required)
    missing = sorted(required - obj.keys())
    if missing:
        fail(where, field, f"missing {', '.join(missing)}")
    unknown = sorted(str(k) for k in obj.keys() - required - set(optional))
    if unknown:
        hint = "check the spelling against SCHEMA.md"
        if any(" " in k for k in unknown):
            # A comma inside a YAML {...} mapping splits the text and turns the rest into a key.
            hint = "a comma inside {...} ends the value: put that text in double quotes"
        fail(where, field, f"unknown key(s) {', '.join(repr(k) for k in unknown)} ({hint})")
    return obj


def text(obj: Mapping[str, Any], key: str, where: str, field: str, *, required: bool = True) -> str | None:
    """A non-empty string field; numbers and booleans are refused so YAML surprises show up."""
    if key not in obj and not required:
        return None
    value = obj.get(key)
    path = f"{field}.{key}" if field else key
    if not isinstance(value, str):
        hint = " (quote it in YAML)" if isinstance(value, (bool, int, float)) else ""
        fail(where, path, f"must be text, not {type(value).__name__}{hint}")
    if not value.strip():
        fail(where, path, "must not be empty")
    return value


def rationale(obj: Mapping[str, Any], where: str, field: str, *, required: bool = True) -> None:
    """Every option and part must explain itself at review."""
    if required and "rationale" not in obj:
        fail(where, f"{field}.rationale", "is required (say why this is right or wrong)")
    text(obj, "rationale", where, field, required=required)


def flag(obj: Mapping[str, Any], key: str, where: str, field: str) -> bool:
    """An optional boolean field, false when absent."""
    value = obj.get(key, False)
    if not isinstance(value, bool):
        fail(where, f"{field}.{key}" if field else key, f"must be true or false, not {value!r}")
    return value


def sub_id(obj: Mapping[str, Any], where: str, field: str) -> str:
    """An id inside an item, safe to use in form field names."""
    value = obj.get("id")
    if not isinstance(value, str) or not SUB_ID_RE.match(value):
        fail(where, f"{field}.id", f"{value!r} must match {SUB_ID_RE.pattern} (quote numbers)")
    return value


def entries(item: Mapping[str, Any], key: str, where: str, *, min_n: int, max_n: int = 100) -> Sequence[Any]:
    """A list field with a length inside the allowed range."""
    value = item.get(key)
    if not isinstance(value, list):
        fail(where, key, f"must be a list, not {type(value).__name__}")
    if not min_n <= len(value) <= max_n:
        fail(where, key, f"needs {min_n} to {max_n} entries, found {len(value)}")
    return value


def unique_ids(
    seq: Sequence[Any], where: str, field: str, required: Iterable[str], optional: Iterable[str] = ()
) -> list[str]:
    """Check each entry's keys and id, and that ids do not repeat; return the ids in order."""
    ids: list[str] = []
    for i, entry in enumerate(seq):
        path = f"{field}[{i}]"
        check_keys(entry, where, path, required, optional)
        ident = sub_id(entry, where, path)
        if ident in ids:
            fail(where, path, f"duplicate id {ident!r}")
        ids.append(ident)
        text(entry, "text", where, path, required="text" in set(required))
    return ids


def choices(item: Mapping[str, Any], key: str, where: str, *, min_n: int, max_n: int,
            n_correct: tuple[int, int]) -> list[str]:
    """Options of {id, text, correct, rationale}; the number of correct ones within bounds."""
    seq = entries(item, key, where, min_n=min_n, max_n=max_n)
    ids = unique_ids(seq, where, key, {"id", "text", "rationale"}, {"correct"})
    right = 0
    for i, entry in enumerate(seq):
        rationale(entry, where, f"{key}[{i}]")
        right += flag(entry, "correct", where, f"{key}[{i}]")
    lo, hi = n_correct
    if not lo <= right <= hi:
        wanted = str(lo) if lo == hi else f"{lo} to {hi}"
        fail(where, key, f"needs {wanted} option(s) with correct: true, found {right}")
    return ids


def plain_options(seq: Any, where: str, field: str, *, min_n: int = 2) -> list[str]:
    """Options of {id, text} (with an optional rationale) offered in a dropdown or pool."""
    if not isinstance(seq, list) or len(seq) < min_n:
        fail(where, field, f"must be a list of at least {min_n} options")
    ids = unique_ids(seq, where, field, {"id", "text"}, {"rationale"})
    for i, entry in enumerate(seq):
        rationale(entry, where, f"{field}[{i}]", required=False)
    return ids


def common(item: Item, where: str, name: str, required: Iterable[str],
           optional: Iterable[str] = (), *, shuffle_ok: bool = True) -> None:
    """Check the fields every item shares, then that no unknown key is present."""
    check_keys(item, where, "", COMMON_REQUIRED | set(required), COMMON_OPTIONAL | set(optional))
    if not isinstance(item["id"], str) or not SLUG_RE.match(item["id"]):
        fail(where, "id", f"{item['id']!r} must be a lowercase slug such as weak-mrc-grade-3")
    if item["type"] != name:
        fail(where, "type", f"expected {name!r}, found {item['type']!r}")
    if item["topic"] not in TOPICS:
        fail(where, "topic", f"{item['topic']!r} is not one of {', '.join(TOPICS)}")
    text(item, "stem", where, "")
    text(item, "title", where, "", required=False)
    text(item, "stage", where, "", required=False)
    if "cjmm" in item and item["cjmm"] not in CJMM_STEPS:
        fail(where, "cjmm", f"{item['cjmm']!r} is not one of {', '.join(CJMM_STEPS)}")
    if flag(item, "shuffle", where, "") and not shuffle_ok:
        fail(where, "shuffle", f"must be false for {name} items: their order carries meaning")
    sources = item.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) and s.strip() for s in sources):
        fail(where, "sources", "must be a list of non-empty citation strings")
