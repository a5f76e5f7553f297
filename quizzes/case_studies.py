"""Unfolding case studies: a staged chart plus six items that walk the CJMM steps in order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from course.content import ContentError
from quizzes.types import CJMM_STEPS, TOPICS, validate_item
from quizzes.types.checks import SLUG_RE, SUB_ID_RE

TAB_NAMES = ("nurses_notes", "vital_signs", "labs", "orders", "history")
TABLE_TABS = ("vital_signs", "labs")
CASE_KEYS = {"id", "title", "topic", "scenario", "stages", "items"}


@dataclass(frozen=True)
class Stage:
    """One point in time of the case: the chart tabs shown with its items."""

    id: str
    title: str | None
    tabs: Mapping[str, Any]


@dataclass(frozen=True)
class CaseStudy:
    """A validated case study; ``items`` are full item dicts in CJMM order."""

    id: str
    title: str
    topic: str
    scenario: str
    stages: tuple[Stage, ...]
    items: tuple[dict[str, Any], ...]
    source: str

    def stage(self, stage_id: str) -> Stage:
        """The stage with this id (KeyError when there is none)."""
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """The ids of the six items, in order."""
        return tuple(item["id"] for item in self.items)


def _fail(where: str, message: str) -> ContentError:
    """Build the error for a case-study problem."""
    return ContentError(f"{where}: {message}")


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    """A required non-empty string field."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"{key}: must be non-empty text")
    return value


def _table(value: Any, where: str) -> dict[str, Any]:
    """A {columns, rows} table whose rows all match the column count."""
    if set(value) != {"columns", "rows"}:
        raise _fail(where, "a table needs exactly the keys columns and rows")
    cols, rows = value["columns"], value["rows"]
    if not isinstance(cols, list) or not cols or not all(isinstance(c, str) for c in cols):
        raise _fail(where, "columns: must be a non-empty list of strings")
    if not isinstance(rows, list) or not rows:
        raise _fail(where, "rows: must be a non-empty list of rows")
    for i, row in enumerate(rows):
        ok_cells = isinstance(row, list) and all(
            isinstance(c, (str, int, float)) and not isinstance(c, bool) for c in row)
        if not ok_cells or len(row) != len(cols):
            raise _fail(where, f"rows[{i}]: must be a list of {len(cols)} text or number cells")
    return {"columns": list(cols), "rows": [list(r) for r in rows]}


def _stage(raw: Any, where: str) -> Stage:
    """Validate one stage and its chart tabs."""
    if not isinstance(raw, Mapping) or not {"id", "tabs"} <= raw.keys() or raw.keys() - {"id", "tabs", "title"}:
        raise _fail(where, "must be a mapping with id, tabs and optional title")
    if not isinstance(raw["id"], str) or not SUB_ID_RE.match(raw["id"]):
        raise _fail(where, f"id: {raw['id']!r} must match {SUB_ID_RE.pattern}")
    tabs = raw["tabs"]
    if not isinstance(tabs, Mapping) or not tabs:
        raise _fail(where, "tabs: must map at least one tab name to content")
    clean: dict[str, Any] = {}
    for name, value in tabs.items():
        if name not in TAB_NAMES:
            raise _fail(where, f"tabs: {name!r} is not one of {', '.join(TAB_NAMES)}")
        if isinstance(value, Mapping) and name in TABLE_TABS:
            clean[name] = _table(value, f"{where}.tabs.{name}")
        elif isinstance(value, str) and value.strip():
            clean[name] = value
        else:
            raise _fail(where, f"tabs.{name}: must be Markdown text" + (" or a table" if name in TABLE_TABS else ""))
    title = raw.get("title")
    if title is not None and not isinstance(title, str):
        raise _fail(where, "title: must be text")
    return Stage(raw["id"], title, MappingProxyType(clean))


def _items(raw: Any, case: Mapping[str, Any], stage_ids: list[str], where: str) -> tuple[dict[str, Any], ...]:
    """Six items with CJMM steps in order and stages that never go backwards."""
    if not isinstance(raw, list) or len(raw) != len(CJMM_STEPS):
        found = len(raw) if isinstance(raw, list) else type(raw).__name__
        raise _fail(where, f"items: a case study needs exactly {len(CJMM_STEPS)} items, found {found}")
    items: list[dict[str, Any]] = []
    last_stage = 0
    for i, (entry, step) in enumerate(zip(raw, CJMM_STEPS)):
        if not isinstance(entry, Mapping):
            raise _fail(where, f"items[{i}]: must be a mapping")
        item = {"topic": case["topic"], **entry}
        item_where = f"{where} item {item.get('id', f'#{i + 1}')!r}"
        if item.get("cjmm") != step:
            raise _fail(item_where, f"cjmm: item {i + 1} must be {step!r} (CJMM steps in order), "
                                    f"found {item.get('cjmm')!r}")
        if item.get("stage") not in stage_ids:
            raise _fail(item_where, f"stage: {item.get('stage')!r} is not a stage of this case "
                                    f"({', '.join(stage_ids)})")
        index = stage_ids.index(item["stage"])
        if index < last_stage:
            raise _fail(item_where, f"stage: {item['stage']!r} goes back to an earlier stage")
        last_stage = index
        validate_item(item, item_where)
        items.append(item)
    return tuple(items)


def parse_case_study(data: Any, source: str) -> CaseStudy:
    """Validate a case-study mapping read from ``source`` and build the CaseStudy."""
    if not isinstance(data, Mapping):
        raise _fail(source, "a case-study file must hold one mapping")
    where = f"{source} case study {data.get('id')!r}"
    missing, unknown = CASE_KEYS - data.keys(), data.keys() - CASE_KEYS
    if missing or unknown:
        raise _fail(where, f"missing {sorted(missing)} / unknown {sorted(map(str, unknown))} keys")
    if not isinstance(data["id"], str) or not SLUG_RE.match(data["id"]):
        raise _fail(where, "id: must be a lowercase slug")
    if data["topic"] not in TOPICS:
        raise _fail(where, f"topic: {data['topic']!r} is not one of {', '.join(TOPICS)}")
    raw_stages = data["stages"]
    if not isinstance(raw_stages, list) or not raw_stages:
        raise _fail(where, "stages: must be a non-empty list")
    stages = tuple(_stage(s, f"{where} stages[{i}]") for i, s in enumerate(raw_stages))
    stage_ids = [s.id for s in stages]
    if len(set(stage_ids)) != len(stage_ids):
        raise _fail(where, "stages: stage ids must be unique")
    items = _items(data["items"], data, stage_ids, where)
    return CaseStudy(data["id"], _text(data, "title", where), data["topic"],
                     _text(data, "scenario", where), stages, items, source)
