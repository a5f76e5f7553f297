"""Pure conversion between an item in the bank schema and the editor's row-shaped form data."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from course.content import ContentError
from quizzes.authoring.form_rows import SPECS, Rows, Scalar, TypeForm
from quizzes.authoring.sanitise import clean_item
from quizzes.types import get_type
from quizzes.types.numbers import as_decimal, plain

ALL = "__all__"  # errors that belong to the whole form
_PATH = re.compile(r"^question: ([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?(?:\[\d+\])?(?:\.[a-z_]+)?: (.*)$", re.S)


@dataclass
class FormResult:
    """An item built from the form, the Question labels, and errors keyed by field id."""

    item: dict[str, Any]
    category: str = ""
    tags: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the item can be saved."""
        return not self.errors

    def add(self, key: str, message: str) -> None:
        """Attach one message to a field id (or ALL)."""
        self.errors.setdefault(key, []).append(message)


def _options_text(options: Any) -> str:
    """Dropdown options as editable lines: ``id | text`` or ``id | text | rationale``."""
    lines = []
    for opt in options or []:
        parts = [opt.get("id", ""), opt.get("text", "")] + ([opt["rationale"]] if opt.get("rationale") else [])
        lines.append(" | ".join(" ".join(str(p).split()) for p in parts))
    return "\n".join(lines)


def _parse_options(text: str) -> list[dict[str, str]]:
    """Read ``id | text | rationale`` lines back into option dicts (blank lines skipped)."""
    out = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|", 2)]
        opt = {"id": parts[0], "text": parts[1] if len(parts) > 1 else ""}
        if len(parts) > 2 and parts[2]:
            opt["rationale"] = parts[2]
        out.append(opt)
    return out


def _cell_to_form(kind: str, value: Any) -> Any:
    """One stored value as the form shows it."""
    if kind == "bool":
        return bool(value)
    if kind == "refs":
        return ", ".join(value or [])
    if kind == "options":
        return _options_text(value)
    if kind == "groups":
        return "; ".join(" ".join(g) for g in value or [])
    if kind == "tf":
        return "true" if value else "false"
    if kind == "number":
        found = as_decimal(value)
        return "" if value is None else (plain(found) if found is not None else str(value))
    return "" if value is None else value


def item_to_data(spec: TypeForm, item: Mapping[str, Any]) -> dict[str, Any]:
    """Form data (nested, as WTForms ``data=`` expects) for a stored item."""
    data: dict[str, Any] = {k: item.get(k, "") for k in ("title", "topic", "stem", "cjmm")}
    data["sources"] = "\n".join(item.get("sources", []))
    data["shuffle"] = bool(item.get("shuffle", True))
    for s in spec.scalars:
        if s.name in ("header_row", "header_answer"):
            headers = item.get("headers") or ["", ""]
            data[s.name] = headers[0 if s.name == "header_row" else 1]
        else:
            data[s.name] = _cell_to_form(s.kind, item.get(s.name))
    for rows in spec.rows:
        entries = []
        for entry in item.get(rows.key) or []:
            if isinstance(entry, str):  # a bare text row (highlight's plain text)
                entry = {"text": entry}
            entries.append({c.name: _cell_to_form(c.kind, entry.get(c.name)) for c in rows.cols})
        data[rows.key] = entries
    return data


def blank_row(rows: Rows, values: Mapping[str, Any]) -> bool:
    """A row counts as empty when every field but its (possibly pre-filled) id is empty."""
    return not any(_filled(values.get(c.name)) for c in rows.cols if c.name != "id")


def _filled(value: Any) -> bool:
    """Whether a posted value holds anything."""
    return bool(value.strip()) if isinstance(value, str) else bool(value)


def _cell_from_form(kind: str, value: Any) -> Any:
    """One posted value in the stored shape."""
    if kind == "bool":
        return bool(value)
    if kind == "refs":
        return [p for p in re.split(r"[\s,]+", value or "") if p]
    if kind == "options":
        return _parse_options(value or "")
    if kind == "groups":
        return [g.split() for g in (value or "").split(";") if g.split()]
    if kind == "tf":
        return value == "true"
    if kind == "number":
        return _number(value)
    return (value or "").strip() if kind in ("id", "ref") else (value or "")


def _number(value: Any) -> Any:
    """A posted number as int or float; text that is no number stays text, for the validator to name."""
    text = str(value if value is not None else "").strip()
    found = as_decimal(text)
    if found is None:
        return text
    return int(found) if found == found.to_integral_value() and "." not in text else float(found)


def _rows_from_form(rows: Rows, posted: list[Mapping[str, Any]], result: FormResult,
                    index_map: dict[str, list[int]], bare: bool) -> list[Any]:
    """The non-empty rows of one list; required fields left empty become field errors."""
    out: list[Any] = []
    for fi, values in enumerate(posted):
        if blank_row(rows, values):
            continue
        entry: dict[str, Any] = {}
        for col in rows.cols:
            raw = values.get(col.name)
            needed = col.required or (bare and col.name == "rationale" and _filled(values.get("id")))
            if needed and not _filled(raw):
                what = "this option is right or wrong" if col.name == "rationale" else ""
                result.add(f"{rows.key}-{fi}-{col.name}",
                           f"{col.label} is required" + (f": say why {what}." if what else "."))
            if _filled(raw) or col.kind == "bool" and raw:
                entry[col.name] = _cell_from_form(col.kind, raw)
        if bare and "id" not in entry:
            out.append(entry.get("text", ""))  # plain text segment: a bare string
        else:
            if col_refs := [c for c in rows.cols if c.kind == "refs" and c.name not in entry]:
                entry.update({c.name: [] for c in col_refs})
            out.append(entry)
        index_map.setdefault(rows.key, []).append(fi)
    return out


def _scalar_from_form(s: Scalar, value: Any, item: dict[str, Any], result: FormResult) -> None:
    """Store one type-specific field in the item, flagging a missing required one."""
    if s.name in ("header_row", "header_answer"):
        headers = item.setdefault("headers", ["", ""])
        headers[0 if s.name == "header_row" else 1] = (value or "").strip()
        return
    if s.required and s.kind not in ("bool", "int") and not _filled(value):
        result.add(s.name, f"{s.label} is required.")
    if s.kind == "int":
        if isinstance(value, int):
            item[s.name] = value
        return
    if s.kind == "bool":
        if value:
            item[s.name] = True
        return
    converted = _cell_from_form(s.kind, value)
    if _filled(value) or s.kind == "tf":
        item[s.name] = converted


def form_to_item(type_name: str, data: Mapping[str, Any]) -> FormResult:
    """Build, sanitise and validate an item from ``form.data``; errors are keyed by field id."""
    spec = SPECS[type_name]
    item: dict[str, Any] = {"id": "draft", "type": type_name, "topic": data.get("topic") or "",
                            "stem": data.get("stem") or ""}
    result = FormResult(item, category=data.get("category") or "", tags=data.get("tags") or "")
    if not _filled(item["stem"]):
        result.add("stem", "Write the question stem.")
    for key in ("title", "cjmm"):
        if _filled(data.get(key)):
            item[key] = data[key].strip()
    sources = [line.strip() for line in (data.get("sources") or "").splitlines() if line.strip()]
    if sources:
        item["sources"] = sources
    if spec.shuffle:
        item["shuffle"] = bool(data.get("shuffle"))
    for s in spec.scalars:
        _scalar_from_form(s, data.get(s.name), item, result)
    if item.get("headers") == ["", ""]:
        item.pop("headers")
    index_map: dict[str, list[int]] = {}
    for rows in spec.rows:
        item[rows.key] = _rows_from_form(rows, list(data.get(rows.key) or []), result, index_map,
                                         spec.bare_rows)
    result.item = clean_item(item)
    if result.ok:
        _validate(result, spec, index_map)
    return result


def _validate(result: FormResult, spec: TypeForm, index_map: dict[str, list[int]]) -> None:
    """Run the registry's validator and put its message next to the field it names."""
    try:
        get_type(result.item).validate(result.item, "question")
    except ContentError as err:
        key, message = error_field(str(err), spec, index_map)
        result.add(key, message)


def error_field(message: str, spec: TypeForm, index_map: Mapping[str, list[int]]) -> tuple[str, str]:
    """Map a registry message such as ``question: options[2].rationale: ...`` to a field id."""
    match = _PATH.match(message)
    if not match:
        return ALL, message.removeprefix("question: ")
    key, index, sub, text = match.groups()
    rows = next((r for r in spec.rows if r.key == key), None)
    if rows is not None and index is not None:
        positions = index_map.get(key, [])
        fi = positions[int(index)] if int(index) < len(positions) else int(index)
        col = sub if sub and any(c.name == sub for c in rows.cols) else "id"
        return f"{key}-{fi}-{col}", _sentence(next(c.label for c in rows.cols if c.name == col), text)
    if rows is not None:
        return key, _sentence(rows.label, text)
    if key == "headers":
        return "header_row", _sentence("Headers", text)
    names = {s.name: s.label for s in spec.scalars} | {"stem": "Stem", "topic": "Topic", "title": "Title",
                                                         "shuffle": "Shuffle", "sources": "Sources", "cjmm": "Step"}
    return (key, _sentence(names[key], text)) if key in names else (ALL, f"{key}: {text}")


def _sentence(label: str, text: str) -> str:
    """``Rationale`` + ``is required`` -> ``Rationale is required``; else ``Label: text``."""
    return f"{label} {text}" if text.startswith(("is ", "must ", "needs ")) else f"{label}: {text}"
