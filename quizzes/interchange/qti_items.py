"""QTI 1.2 item writers in the shapes Canvas's importer reads (QTIMigrationTool, then qti_exporter).

The shapes mirror Canvas's own exporter (``lib/cc/qti/qti_items.rb`` in canvas-lms): ``question_type``
metadata, one ``response_lid`` per choice list, matching and drop-down blanks as ``response_<id>``
with ``Add``-ed scores, per-answer feedback as ``itemfeedback`` named ``<answer>_fb`` and shown
through ``displayfeedback``, and ``general_fb`` (read as the question's neutral comments) shown
through an ``<other/>`` condition. Stems and rationales are our sanitised Markdown rendered to HTML;
matching targets and drop-down options are plain text, because Canvas stores them as raw strings.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from course.markdown import render_inline, render_markdown
from quizzes.interchange import qti_typed
from quizzes.interchange.qti_xml import (
    always_show,
    condition,
    labels,
    mattext,
    meta_fields,
    plain_text,
    sub,
)
from quizzes.types import REGISTRY

PLAIN = "text/plain"
CANVAS_TYPES = {
    "mcq": "multiple_choice_question",
    "true_false": "true_false_question",
    "sata": "multiple_answers_question",
    "matching": "matching_question",
    "dropdown_cloze": "multiple_dropdowns_question",
    "dropdown_table": "multiple_dropdowns_question",
    "matrix_mc": "multiple_dropdowns_question",
    **qti_typed.CANVAS_TYPES,
}
# Canvas's Common Cartridge profile names for the types that have one.
CC_PROFILES = {"mcq": "cc.multiple_choice.v0p1", "true_false": "cc.true_false.v0p1",
               "sata": "cc.multiple_response.v0p1"}
_BLANK = re.compile(r"\[\[([a-z0-9][a-z0-9_-]*)\]\]")
GENERAL_FB = "general_fb"  # Canvas files an itemfeedback whose ident starts 'general_' as neutral comments

Feedback = dict[str, str]
Writer = Callable[[Mapping[str, Any], ET.Element, ET.Element, Feedback], list[str]]


def item_element(item: Mapping[str, Any]) -> ET.Element:
    """One Canvas QTI item: metadata, presentation, response processing and feedback."""
    kind = item["type"]
    element = ET.Element("item", ident=item["id"], title=item.get("title") or item["id"])
    presentation = ET.Element("presentation")
    proc = ET.Element("resprocessing")
    decvar = sub(sub(proc, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE")
    decvar.set("vartype", "Decimal")
    feedback: Feedback = {}
    answer_ids = WRITERS[kind](item, presentation, proc, feedback)
    fields = [("question_type", CANVAS_TYPES[kind]), ("points_possible", f"{REGISTRY[kind].max_points(item):g}"),
              ("original_answer_ids", ",".join(answer_ids))]
    if kind in CC_PROFILES:
        fields.append(("cc_profile", CC_PROFILES[kind]))
    meta_fields(sub(element, "itemmetadata"), fields)
    element.extend([presentation, proc])
    for ident, markdown in feedback.items():
        mattext(sub(sub(element, "itemfeedback", ident=ident), "flow_mat"), render_markdown(markdown))
    return element


def _general(proc: ET.Element, fb: Feedback, markdown: str) -> None:
    """General feedback shown whatever the answer; it must come first so later conditions still run."""
    fb[GENERAL_FB] = markdown
    always_show(proc, GENERAL_FB)


def _choices(item: Mapping[str, Any], pres: ET.Element, proc: ET.Element, fb: Feedback) -> list[str]:
    """mcq and sata: one response_lid; per-option feedback; Set 100 when the key is met."""
    multiple = item["type"] == "sata"
    mattext(pres, render_markdown(item["stem"]))
    lid = sub(pres, "response_lid", ident="response1", rcardinality="Multiple" if multiple else "Single")
    options = item["options"]
    labels(lid, [(o["id"], render_inline(o["text"])) for o in options])
    for option in options:
        fb[f"{option['id']}_fb"] = option["rationale"]
        condition(proc, "response1", option["id"], feedback=f"{option['id']}_fb")
    cond = sub(proc, "respcondition", continue_="No")
    var = sub(cond, "conditionvar")
    if multiple:
        both = sub(var, "and")
        for option in options:
            sub(both if option.get("correct") else sub(both, "not"), "varequal", option["id"], respident="response1")
    else:
        key = next(o["id"] for o in options if o.get("correct"))
        sub(var, "varequal", key, respident="response1")
    sub(cond, "setvar", "100", action="Set", varname="SCORE")
    return [o["id"] for o in options]


def _true_false(item: Mapping[str, Any], pres: ET.Element, proc: ET.Element, fb: Feedback) -> list[str]:
    """True/false as two choices; the single rationale is general feedback, always shown."""
    mattext(pres, render_markdown(item["stem"]))
    lid = sub(pres, "response_lid", ident="response1", rcardinality="Single")
    labels(lid, [("true", "True"), ("false", "False")])
    _general(proc, fb, item["rationale"])
    condition(proc, "response1", "true" if item["answer"] else "false", cont="No", score=("Set", "100"))
    return ["true", "false"]


def _matching(item: Mapping[str, Any], pres: ET.Element, proc: ET.Element, fb: Feedback) -> list[str]:
    """One response_lid per prompt listing every target; each right match adds 100/n.

    Targets are numbered 1..n: Canvas takes a match's id from the first digits of its ident, so
    author ids such as ``a1`` and ``b1`` would both become match 1.
    """
    mattext(pres, render_markdown(item["stem"]))
    number = {t["id"]: str(n) for n, t in enumerate(item["targets"], start=1)}
    targets = [(number[t["id"]], plain_text(t["text"])) for t in item["targets"]]
    unmatched = [f"- {t['text']}: {t['rationale']}" for t in item["targets"] if t.get("rationale")]
    if unmatched:
        _general(proc, fb, "Options that match no item:\n\n" + "\n".join(unmatched))
    share = f"{100 / len(item['prompts']):.2f}"
    for prompt in item["prompts"]:
        respident = f"response_{prompt['id']}"
        lid = sub(pres, "response_lid", ident=respident)
        mattext(lid, render_inline(prompt["text"]))
        labels(lid, targets, PLAIN)
        condition(proc, respident, number[prompt["match"]], score=("Add", share))
        fb[f"{prompt['id']}_fb"] = prompt["rationale"]
        condition(proc, respident, number[prompt["match"]], negate=True, feedback=f"{prompt['id']}_fb")
    return [p["id"] for p in item["prompts"]]


def _slots(pres: ET.Element, proc: ET.Element, fb: Feedback,
           slots: Sequence[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]]) -> list[str]:
    """One plain-text drop-down per slot (blank or row): its options, 100/n for the key, option feedback."""
    share = f"{100 / len(slots):.2f}"
    answer_ids: list[str] = []
    for slot, options in slots:
        respident = f"response_{slot['id']}"
        lid = sub(pres, "response_lid", ident=respident)
        sub(sub(lid, "material"), "mattext", slot["id"])
        idents = [f"{slot['id']}_{o['id']}" for o in options]
        labels(lid, [(ident, plain_text(o["text"])) for ident, o in zip(idents, options)], PLAIN)
        for option, ident in zip(options, idents):
            # Canvas drops these (its converter reads no per-blank feedback); other QTI readers show them.
            why = [slot["rationale"]] if option["id"] == slot["answer"] else []
            why += [option["rationale"]] if option.get("rationale") else []
            if why:
                fb[f"{ident}_fb"] = "\n\n".join(why)
                condition(proc, respident, ident, feedback=f"{ident}_fb")
        condition(proc, respident, f"{slot['id']}_{slot['answer']}", score=("Add", share))
        answer_ids += idents
    return answer_ids


def _summary(slots: Sequence[tuple[str, Mapping[str, Any], Sequence[Mapping[str, Any]]]],
             shared: Sequence[Mapping[str, Any]] = ()) -> str:
    """Markdown listing each slot's answer and rationale, then the wrong options' rationales.

    This is the general feedback Canvas keeps: options shared by every row are explained once.
    """
    lines = []
    for label, slot, options in slots:
        answer = next(o["text"] for o in options if o["id"] == slot["answer"])
        lines.append(f"- {label}: {answer}. {slot['rationale']}")
        lines += [f"  - Not {o['text']}: {o['rationale']}" for o in options
                  if o["id"] != slot["answer"] and o.get("rationale")]
    explained = [f"- {o['text']}: {o['rationale']}" for o in shared if o.get("rationale")]
    if explained:
        lines += ["", "The options:", "", *explained]
    return "\n".join(lines)


def _dropdowns(item: Mapping[str, Any], pres: ET.Element, proc: ET.Element, fb: Feedback) -> list[str]:
    """Canvas multiple dropdowns: '[blank]' in the text, one response_lid per blank."""
    text = _BLANK.sub(lambda m: f"[{m.group(1)}]", item["text"])  # Canvas writes a blank as '[b1]'
    mattext(pres, render_markdown(item["stem"]) + render_markdown(text))
    blanks = item["blanks"]
    _general(proc, fb, _summary([(f"[{b['id']}]", b, b["options"]) for b in blanks]))
    return _slots(pres, proc, fb, [(b, b["options"]) for b in blanks])


def _grid(item: Mapping[str, Any], pres: ET.Element, proc: ET.Element, fb: Feedback) -> list[str]:
    """dropdown_table and matrix_mc: a table whose answer cell is one '[row]' drop-down per row.

    Both score 0/1 per row, as Canvas scores each blank of a multiple dropdowns question.
    """
    shared = item.get("options") or []
    if item["type"] == "matrix_mc":
        shared = [dict(c) for c in item["columns"]]
        headers = ["", ""]
    else:
        headers = list(item.get("headers", ["", ""]))
    rows = [(r, r.get("options") or shared) for r in item["rows"]]
    head = ""
    if any(h.strip() for h in headers):
        head = "<thead><tr>" + "".join(f'<th scope="col">{render_inline(h)}</th>' for h in headers) + "</tr></thead>"
    body = "".join(f'<tr><th scope="row">{render_inline(r["text"])}</th><td>[{r["id"]}]</td></tr>' for r, _ in rows)
    mattext(pres, render_markdown(item["stem"]) + f"<table>{head}<tbody>{body}</tbody></table>")
    own = [(r["text"], r, opts if r.get("options") else [o for o in opts if o["id"] == r["answer"]])
           for r, opts in rows]
    shared_used = shared if any(not r.get("options") for r in item["rows"]) else []
    _general(proc, fb, _summary(own, shared_used))
    return _slots(pres, proc, fb, rows)


# The writer of each type whose registry entry says QTI writes it (QuestionType.qti);
# CANVAS_TYPES names each one as Canvas does.
WRITERS: dict[str, Writer] = {
    "mcq": _choices,
    "sata": _choices,
    "true_false": _true_false,
    "matching": _matching,
    "dropdown_cloze": _dropdowns,
    "dropdown_table": _grid,
    "matrix_mc": _grid,
    **qti_typed.WRITERS,  # numeric, short answer and essay
}
