"""One handout file read and validated: the shared text, then each field; errors name the field."""

from __future__ import annotations

import hashlib
import pathlib
import re
from datetime import date
from typing import Any

import yaml

from course.content import ContentError
from course.markdown import render_inline, render_markdown
from exports.content_model import DEFAULT_ORDER, Figure, Handout, Section, Shared
from exports.languages import REVIEW_STATUSES, wording_problems
from exports.pemat import PematError, Rating, parse_ratings

FIGURE_DIR = pathlib.Path(__file__).resolve().parent / "static" / "exports" / "figures"
SHARED_FILE = "_shared.yaml"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

REQUIRED = ("slug", "title", "main_message", "written", "reviewed", "disclaimer", "sections",
            "call_team", "emergency", "sources")
OPTIONAL = ("off_label", "order", "review_status", "reviewed_by", "pemat")
SECTION_KEYS = {"heading", "text", "do", "figure"}
FIGURE_KEYS = {"file", "alt", "caption"}


def load_shared(path: pathlib.Path) -> Shared:
    """Read the shared disclaimer text and off-label list, which live in one place only."""
    data = _read_yaml(path)
    disclaimers = data.get("disclaimer")
    if not isinstance(disclaimers, dict) or not disclaimers:
        raise ContentError(f"{path}: disclaimer is missing")
    for key, text in disclaimers.items():
        if not isinstance(text, str) or not text.strip():
            raise ContentError(f"{path}: disclaimer.{key} is empty")
    drugs = data.get("off_label_drugs", [])
    if not isinstance(drugs, list) or not all(isinstance(d, str) and d for d in drugs):
        raise ContentError(f"{path}: off_label_drugs must be a list of names")
    return Shared({k: " ".join(v.split()) for k, v in disclaimers.items()},
                  tuple(d.lower() for d in drugs))


def load_handout(path: pathlib.Path, shared: Shared, lang: str = "en") -> Handout:
    """Parse and validate one handout file; every ContentError names the file and field."""
    raw = path.read_bytes()
    data = _read_yaml(path, raw)
    _check_keys(path, data)
    if data["slug"] != path.stem or not SLUG_RE.match(str(data["slug"])):
        raise ContentError(f"{path}: slug '{data['slug']}' must match the file name")
    written, reviewed = _date(path, data, "written"), _date(path, data, "reviewed")
    if reviewed < written:
        raise ContentError(f"{path}: reviewed {reviewed} is before written {written}")
    disclaimer_key = data["disclaimer"]
    if disclaimer_key not in shared.disclaimers:
        raise ContentError(f"{path}: disclaimer '{disclaimer_key}' is not in {SHARED_FILE}")
    handout = Handout(
        slug=data["slug"], title=_text(path, data, "title"),
        main_message=_text(path, data, "main_message"),
        written=written, reviewed=reviewed,
        disclaimer=shared.disclaimers[disclaimer_key],
        sections=tuple(_section(path, i, s) for i, s in enumerate(_list(path, data, "sections"))),
        call_team=_items(path, data, "call_team"), emergency=_items(path, data, "emergency"),
        off_label=" ".join(str(data.get("off_label") or "").split()),
        sources=tuple(_plain(path, f"sources[{i}]", s)
                      for i, s in enumerate(_list(path, data, "sources"))),
        version=hashlib.sha256(raw).hexdigest(),
        order=_order(path, data), pemat=_pemat(path, data),
        lang=lang, **_review(path, data, lang),
    )
    _check_actions(path, handout)
    _check_off_label(path, data, handout, shared)
    if lang == "es":
        _check_spanish_wording(path, data)
    return handout


def _read_yaml(path: pathlib.Path, raw: bytes | None = None) -> dict[str, Any]:
    """Parse a YAML mapping, turning parser errors into ContentError."""
    try:
        data = yaml.safe_load(raw if raw is not None else path.read_bytes())
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: cannot read YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ContentError(f"{path}: top level must be a mapping")
    return data


def _check_keys(path: pathlib.Path, data: dict[str, Any]) -> None:
    """Every required field present and non-empty; unknown fields are typos, so reject them."""
    for key in REQUIRED:
        if data.get(key) in (None, "", [], {}):
            raise ContentError(f"{path}: {key} is missing")
    unknown = set(data) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise ContentError(f"{path}: unknown field(s) {', '.join(sorted(unknown))}")


def _date(path: pathlib.Path, data: dict[str, Any], key: str) -> date:
    """Read an ISO date (YAML gives a date object for 2026-11-21)."""
    value = data[key]
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ContentError(f"{path}: {key} '{value}' is not an ISO date") from exc


def _order(path: pathlib.Path, data: dict[str, Any]) -> int:
    """Position of the handout in lists and packets (optional; lower comes first)."""
    value = data.get("order", DEFAULT_ORDER)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ContentError(f"{path}: order '{value}' must be a whole number of 0 or more")
    return value


def _pemat(path: pathlib.Path, data: dict[str, Any]) -> tuple[Rating, ...]:
    """The PEMAT-P ratings when the file has them (exports/pemat.py checks the items)."""
    if "pemat" not in data:
        return ()
    try:
        return parse_ratings(data["pemat"])
    except PematError as exc:
        raise ContentError(f"{path}: {exc}") from exc


def _text(path: pathlib.Path, data: dict[str, Any], key: str) -> str:
    """A required one-paragraph string, whitespace collapsed."""
    return _plain(path, key, data[key])


def _plain(path: pathlib.Path, field: str, value: Any) -> str:
    """Validate a non-empty string and collapse its whitespace."""
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{path}: {field} must be non-empty text")
    return " ".join(value.split())


def _list(path: pathlib.Path, data: dict[str, Any], key: str) -> list[Any]:
    """A required non-empty list."""
    value = data[key]
    if not isinstance(value, list) or not value:
        raise ContentError(f"{path}: {key} must be a non-empty list")
    return value


def _items(path: pathlib.Path, data: dict[str, Any], key: str) -> tuple[str, ...]:
    """A list of one-line Markdown items rendered to inline HTML (the call-team/emergency boxes)."""
    return tuple(render_inline(_plain(path, f"{key}[{i}]", item))
                 for i, item in enumerate(_list(path, data, key)))


def _section(path: pathlib.Path, index: int, raw: Any) -> Section:
    """Validate one section: a heading plus body text and/or a 'What you can do' list."""
    where = f"sections[{index}]"
    if not isinstance(raw, dict):
        raise ContentError(f"{path}: {where} must be a mapping")
    unknown = set(raw) - SECTION_KEYS
    if unknown:
        raise ContentError(f"{path}: {where} has unknown field(s) {', '.join(sorted(unknown))}")
    heading = _plain(path, f"{where}.heading", raw.get("heading"))
    text, actions = raw.get("text"), raw.get("do") or []
    if not text and not actions:
        raise ContentError(f"{path}: {where}.text is missing (or give a 'do' list)")
    if not isinstance(actions, list):
        raise ContentError(f"{path}: {where}.do must be a list")
    html = render_markdown(text) if text else ""
    items = tuple(render_inline(_plain(path, f"{where}.do[{i}]", a)) for i, a in enumerate(actions))
    figure = _figure(path, where, raw["figure"]) if raw.get("figure") else None
    return Section(heading=heading, html=html, actions=items, figure=figure)


def _figure(path: pathlib.Path, where: str, raw: Any) -> Figure:
    """A figure must name an SVG that exists in the static figures folder and carry alt text."""
    if not isinstance(raw, dict) or set(raw) - FIGURE_KEYS:
        raise ContentError(f"{path}: {where}.figure must have only file, alt and caption")
    name = _plain(path, f"{where}.figure.file", raw.get("file"))
    if "/" in name or not name.endswith(".svg") or not (FIGURE_DIR / name).is_file():
        raise ContentError(f"{path}: {where}.figure.file '{name}' is not an SVG in {FIGURE_DIR}")
    alt = _plain(path, f"{where}.figure.alt", raw.get("alt"))
    caption = " ".join(str(raw.get("caption") or "").split())
    return Figure(file=name, alt=alt, caption=caption)


def _check_actions(path: pathlib.Path, handout: Handout) -> None:
    """PEMAT asks for concrete steps: at least one section must give a 'What you can do' list."""
    if not any(section.actions for section in handout.sections):
        raise ContentError(f"{path}: sections need at least one 'do' list (What you can do)")


def _review(path: pathlib.Path, data: dict[str, Any], lang: str) -> dict[str, str]:
    """A translation must say whether a qualified reviewer has checked it, and never claim it
    falsely: "reviewed" needs reviewed_by, "pending" must leave reviewed_by empty."""
    status = str(data.get("review_status") or "")
    who = " ".join(str(data.get("reviewed_by") or "").split())
    if lang == "en":
        if status or who:
            raise ContentError(f"{path}: review_status/reviewed_by are for translations only")
        return {}
    if status not in REVIEW_STATUSES:
        raise ContentError(f"{path}: review_status must be one of {', '.join(REVIEW_STATUSES)}")
    if status == "reviewed" and not who:
        raise ContentError(f"{path}: review_status is reviewed but reviewed_by is empty")
    if status == "pending" and who:
        raise ContentError(f"{path}: reviewed_by is set but review_status is pending")
    return {"review_status": status, "reviewed_by": who}


def _check_spanish_wording(path: pathlib.Path, data: dict[str, Any]) -> None:
    """Words the brief rules out for US Spanish readers (Spain-only words, false friends)."""
    fields = ("title", "main_message", "sections", "call_team", "emergency", "off_label")
    problems = wording_problems(yaml.safe_dump([data.get(k) for k in fields],
                                               allow_unicode=True))
    if problems:
        raise ContentError(f"{path}: {'; '.join(problems)}")


def _check_off_label(path: pathlib.Path, data: dict[str, Any], handout: Handout,
                     shared: Shared) -> None:
    """A handout naming a drug used off-label must say so in an off_label note."""
    read_by_patient = [data.get(k) for k in ("main_message", "sections", "call_team", "emergency")]
    words = set(re.findall(r"[a-z]+", yaml.safe_dump(read_by_patient).lower()))
    named = [drug for drug in shared.off_label_drugs if drug in words]
    if named and not handout.off_label:
        raise ContentError(f"{path}: off_label note is missing (names {', '.join(named)})")
