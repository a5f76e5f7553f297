"""QTI 1.2 writers for typed answers, in Canvas's shapes: numerical, short answer and essay questions.

Each follows Canvas's exporter (``lib/cc/qti/qti_items.rb``): a ``response_str`` with a
``render_fib`` box, the answers as ``varequal`` (or a ``vargte``/``varlte`` range for a number),
and the rationale as general feedback shown through an ``<other/>`` condition. Canvas keeps
neither units, rounding rules nor spelling tolerance, and marks essays by hand as we do.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from course.markdown import render_markdown
from quizzes.interchange.qti_xml import always_show, mattext, sub
from quizzes.types.numbers import as_decimal, plain

CANVAS_TYPES = {"numeric": "numerical_question", "short_answer": "short_answer_question",
                "essay": "essay_question"}


def _box(item: Mapping[str, Any], pres: ET.Element, fibtype: str | None = None) -> None:
    """The stem and one typed-answer box."""
    mattext(pres, render_markdown(item["stem"]))
    fib = sub(sub(pres, "response_str", ident="response1", rcardinality="Single"), "render_fib",
              **({"fibtype": fibtype} if fibtype else {}))
    sub(fib, "response_label", ident="answer1", rshuffle="No")


def _general(proc: ET.Element, fb: dict[str, str], text: str) -> None:
    """Show the rationale whatever the answer (Canvas's general feedback)."""
    fb["general_fb"] = text
    always_show(proc, "general_fb")


def numeric(item: Mapping[str, Any], pres: ET.Element, proc: ET.Element, fb: dict[str, str]) -> list[str]:
    """The exact answer, or the tolerance as a range Canvas checks with vargte and varlte."""
    _box(item, pres, "Decimal")
    _general(proc, fb, item["rationale"])
    key = as_decimal(item["answer"]) or Decimal(0)
    tolerance = as_decimal(item.get("tolerance", 0)) or Decimal(0)
    if item.get("tolerance_type") == "percent":
        tolerance = abs(key) * tolerance / 100
    cond = sub(proc, "respcondition", continue_="No")
    either = sub(sub(cond, "conditionvar"), "or")
    sub(either, "varequal", plain(key), respident="response1")
    both = sub(either, "and")
    sub(both, "vargte", plain(key - tolerance), respident="response1")
    sub(both, "varlte", plain(key + tolerance), respident="response1")
    sub(cond, "setvar", "100", action="Set", varname="SCORE")
    return ["answer1"]


def short_answer(item: Mapping[str, Any], pres: ET.Element, proc: ET.Element, fb: dict[str, str]) -> list[str]:
    """Every accepted answer as a varequal (Canvas ignores case, as our default does)."""
    _box(item, pres)
    _general(proc, fb, item["rationale"])
    cond = sub(proc, "respcondition", continue_="No")
    var = sub(cond, "conditionvar")
    for answer in item["answers"]:
        sub(var, "varequal", answer, respident="response1")
    sub(cond, "setvar", "100", action="Set", varname="SCORE")
    return [f"answer{n}" for n in range(1, len(item["answers"]) + 1)]


def essay(item: Mapping[str, Any], pres: ET.Element, proc: ET.Element, fb: dict[str, str]) -> list[str]:
    """A text box marked by hand; the model answer and the rubric travel as general feedback."""
    _box(item, pres)
    rubric = "\n".join(f"- {c['text'].strip()} ({c['points']} points): {c['rationale'].strip()}"
                       for c in item["rubric"])
    _general(proc, fb, f"{item['rationale'].strip()}\n\n**Rubric**\n\n{rubric}")
    return []


WRITERS = {"numeric": numeric, "short_answer": short_answer, "essay": essay}
