"""Pure view models for the learner quiz pages: questions, case charts and per-part review."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quizzes.bank_loader import Bank
from quizzes.types import REGISTRY
from quizzes.types.essay import COMMENT, PENDING
from quizzes.types.option_why import bowtie_whys, matrix_whys, part_whys, picked_whys
from quizzes.types.ordering import public_id
from quizzes.types.slots import dropdown_options

TAB_LABELS = {
    "nurses_notes": "Nurse's notes",
    "vital_signs": "Vital signs",
    "labs": "Laboratory results",
    "orders": "Orders",
    "history": "History",
}
CJMM_LABELS = {
    "recognize_cues": "Recognise cues",
    "analyze_cues": "Analyse cues",
    "prioritize_hypotheses": "Prioritise hypotheses",
    "generate_solutions": "Generate solutions",
    "take_action": "Take action",
    "evaluate_outcomes": "Evaluate outcomes",
}
# Pools whose entries map an id to display text, searched when a part is not scoped.
_POOLS = ("options", "targets", "columns", "rows", "tokens", "actions", "condition",
          "parameters", "prompts")


def answered(response: Any) -> bool:
    """Whether a stored response holds any answer at all."""
    if isinstance(response, Mapping):
        return any(answered(v) for v in response.values())
    if isinstance(response, (list, tuple)):
        return any(answered(v) for v in response)
    return response is not None and response != ""


def question_view(item: Mapping[str, Any], seed: str, position: int,
                  response: Mapping[str, Any] | None) -> dict[str, Any]:
    """What an item template needs: the key-free public view, field prefix and saved answer."""
    qtype = REGISTRY[item["type"]]
    saved = dict(response or {})
    view: dict[str, Any] = {
        "position": position, "prefix": f"q{position}-", "type": item["type"],
        "type_label": qtype.label, "template": qtype.template,
        "view": qtype.public_view(item, seed), "saved": saved,
        "cjmm": CJMM_LABELS.get(item.get("cjmm", "")),
    }
    if item["type"] == "ordering":
        # Stored answers use authored ids; the page only ever sees the opaque public ones.
        view["saved_order"] = [public_id(item, s) if s else None for s in saved.get("order", [])]
    return view


def case_view(bank: Bank, case_id: str | None, stage_id: str | None) -> dict[str, Any] | None:
    """The case scenario and the chart tabs of one stage, or None for a standalone item."""
    case = bank.case_studies.get(case_id or "")
    if case is None:
        return None
    try:
        stage = case.stage(stage_id or "")
    except KeyError:
        return None
    tabs = []
    for name, content in stage.tabs.items():
        table = content if isinstance(content, Mapping) else None
        tabs.append({"id": name.replace("_", "-"), "label": TAB_LABELS.get(name, name),
                     "table": table, "text": None if table else content})
    return {"id": case.id, "title": case.title, "scenario": case.scenario,
            "stage_title": stage.title, "tabs": tabs}


def _lookup(item: Mapping[str, Any], scope: str | None, value: str) -> str:
    """Display text for an id: within a blank or row first, then in the item's pools."""
    for key in ("blanks", "rows"):
        for entry in item.get(key) or []:
            if entry.get("id") == scope:
                for option in dropdown_options(item, entry):
                    if option["id"] == value:
                        return option["text"]
    for key in _POOLS:
        for entry in item.get(key) or []:
            if isinstance(entry, Mapping) and entry.get("id") == value and "text" in entry:
                return entry["text"]
    return value


def display(item: Mapping[str, Any], part_id: str, value: Any) -> str:
    """A part's chosen or expected value in words."""
    if value is None or value == [] or value == {}:
        return "No answer"
    if isinstance(value, bool):
        if item["type"] == "true_false":
            return "True" if value else "False"
        return "Selected" if value else "Not selected"
    if isinstance(value, Mapping):
        return "; ".join(display(item, k, v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "; ".join(display(item, part_id, v) for v in value)
    return _lookup(item, part_id, str(value))


# Types scored per option (the part's chosen/expected are "picked" and "in the key").
OPTION_TYPES = frozenset({"mcq", "sata", "select_n"})


def with_texts(item: Mapping[str, Any], parts: list[dict[str, Any]] | None,
               response: Any) -> list[dict[str, Any]] | None:
    """Stored parts with each part's label and rationale, taken from the version where left out.

    A submission stores only the marks (taking/submission.py); scoring the stored answer against
    the same, unchanging version gives back the very texts it was scored with.
    """
    if not parts or all("label" in part for part in parts):
        return parts
    texts = {p.part_id: p for p in REGISTRY[item["type"]].score(item, response or {}).parts}
    filled = []
    for part in parts:
        text = texts.get(part.get("part_id", ""))
        filled.append(part if "label" in part else {
            **part, "label": text.label if text else "", "rationale": text.rationale if text else ""})
    return filled


def review_view(item: Mapping[str, Any], position: int, parts: list[dict[str, Any]] | None,
                points: float | None, max_points: float | None,
                show_correctness: bool, show_rationales: bool,
                every_option: bool = False, response: Any = None) -> dict[str, Any]:
    """Per-part results of one question, limited to what the review setting allows.

    With rationales, a wrong pick's own rationale is shown too; ``every_option`` (tutor mode)
    adds every option of every slot, and a bow-tie's every option, each with its rationale.
    ``response`` is the stored answer, for parts stored without their texts (with_texts).
    """
    parts = with_texts(item, parts, response)
    rows = []
    options = item["type"] in OPTION_TYPES
    every = every_option and show_rationales
    for part in (parts or []) if show_correctness else []:
        part_id, chosen = part.get("part_id", ""), part.get("chosen")
        rows.append({
            # One row per option: whether the learner picked it and whether it is in the key.
            "option": options, "picked": chosen is True, "key": part.get("expected") is True,
            "part_id": part_id, "label": part.get("label", ""), "correct": bool(part.get("correct")),
            "points": part.get("points"), "max_points": part.get("max_points"),
            "chosen": display(item, part_id, chosen),
            "expected": display(item, part_id, part.get("expected")),
            "rationale": part.get("rationale") if show_rationales else None,
            "picked_why": picked_whys(item, part_id, chosen) if show_rationales else [],
            "whys": part_whys(item, part_id, chosen) if every else [],
        })
    picked = [p.get("chosen") for p in parts or [] if isinstance(p.get("chosen"), str)]
    return {"position": position, "stem": item.get("stem", ""), "type": item["type"],
            "type_label": REGISTRY[item["type"]].label,
            "points": points if show_correctness else None,
            "max_points": max_points, "parts": rows, "cjmm": CJMM_LABELS.get(item.get("cjmm", "")),
            "pools": bowtie_whys(item, picked) + matrix_whys(item) if every and show_correctness else [],
            # An essay: waiting for the instructor, or the instructor's comment (shown with any setting).
            "waiting": any(p.get("part_id") == PENDING for p in parts or []),
            "comment": next((p.get("rationale") for p in parts or [] if p.get("part_id") == COMMENT), None)}
