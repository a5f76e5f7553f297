"""Build item fields of our schema from one Moodle XML <question>: the common fields and the choice types.

The reverse of :mod:`quizzes.interchange.moodle_write`: what our writer put in fixed shapes (listed
rationales, the stem before a '---' line, a table of drop-downs) is read back, so an exported item
imports unchanged apart from its inner ids. Questions written elsewhere are read as far as they fit,
with each loss named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from quizzes.interchange.gift_types import MAX_ANSWERS, PLACEHOLDER_RATIONALE, Unsupported
from quizzes.interchange.moodle_text import parse_listed, read_listed, split_other, split_sources

_PARA = re.compile(r"^\s*<p>(.*?)</p>\s*$", re.S)
_NO_FEEDBACK = "no feedback in the Moodle question: placeholder rationale for {} {}"


@dataclass
class Head:
    """What every Moodle question has, read once."""

    title: str
    stem: str
    general: str
    idnumber: str
    tags: dict[str, str]
    sources: list[str]
    degraded: list[str] = field(default_factory=list)


@dataclass
class Read:
    """Our item's type-specific fields and what was lost on the way."""

    fields: dict[str, Any]
    degraded: list[str] = field(default_factory=list)


def text_of(el: Element | None, head: Head | None = None) -> str:
    """The <text> of a field; HTML is kept as written (and cleaned on save) with one note."""
    if el is None:
        return ""
    text = (el.findtext("text") or "").strip()
    if el.get("format") == "html":
        match = _PARA.match(text)
        text = match.group(1).strip() if match and "<p>" not in match.group(1) else text
        note = "HTML text kept as written; check that it reads well as Markdown"
        if head is not None and "<" in text and note not in head.degraded:
            head.degraded.append(note)
    return text


def common_fields(question: Element) -> Head:
    """Name, question text, general feedback (less its sources), idnumber and our tags."""
    tags: dict[str, str] = {}
    for tag in question.iterfind("tags/tag"):
        key, _, value = (tag.findtext("text") or "").strip().partition(":")
        if value and key in ("module", "cjmm", "item-type", "places", "tolerance", "typos", "typo-min-length"):
            tags[key] = value
    head = Head((question.findtext("name/text") or "").strip(), "", "",
                (question.findtext("idnumber") or "").strip(), tags, [])
    head.stem = text_of(question.find("questiontext"), head)
    head.general, head.sources = split_sources(text_of(question.find("generalfeedback"), head))
    return head


def _answers(question: Element) -> list[Element]:
    """The question's <answer> elements, bounded."""
    found = question.findall("answer")
    if len(found) > MAX_ANSWERS:
        raise Unsupported(f"{len(found):,} answers: no item type holds more than {MAX_ANSWERS}; skipped.")
    return found


def _fraction(answer: Element) -> float:
    """An answer's fraction in percent."""
    return float(answer.get("fraction", "0"))


def why(text: str, missing: list[int]) -> str:
    """The rationale, or the placeholder (counted in ``missing``)."""
    if text:
        return text
    missing[0] += 1
    return PLACEHOLDER_RATIONALE


def _shuffle(question: Element) -> dict[str, Any]:
    """``shuffle: false`` when Moodle keeps the order (true is the default, left out)."""
    return {"shuffle": False} if (question.findtext("shuffleanswers") or "1").strip() in ("0", "false") else {}


def read_multichoice(question: Element, head: Head) -> Read:
    """Single answer becomes mcq; multiple answers become sata (+/- scoring)."""
    answers = _answers(question)
    if len(answers) < 2:
        raise Unsupported("A multiple-choice question needs at least two answers; skipped.")
    single = (question.findtext("single") or "true").strip() in ("true", "1")
    fractions = [_fraction(a) for a in answers]
    missing, degraded = [0], []
    correct = [f >= 99.99 for f in fractions] if single else [f > 0 for f in fractions]
    if single and sum(correct) != 1:
        raise Unsupported("A single-answer question without exactly one 100% answer; skipped.")
    if single and any(0 < f < 99.99 or f < 0 for f in fractions):
        degraded.append("partial or negative fractions dropped: single-answer items score 0 or 1")
    if not single:
        k = sum(correct)
        if not k:
            raise Unsupported("A multiple-answer question with no right answer; skipped.")
        if any(abs(f - (100 / k if c else -100 / k)) > 0.01 for f, c in zip(fractions, correct)):
            degraded.append("fractions replaced by select-all-that-apply +/- scoring (+1 right, -1 wrong choice)")
    options = []
    for i, (answer, right) in enumerate(zip(answers, correct)):
        option: dict[str, Any] = {"id": _option_id(i), "text": text_of(answer, head),
                                  "rationale": why(text_of(answer.find("feedback"), head) or head.general, missing)}
        if right or not single:
            option["correct"] = right
        options.append(option)
    note_missing(degraded, missing, "option(s)")
    return Read({"type": "mcq" if single else "sata", "stem": head.stem, **_shuffle(question),
                 "options": options}, degraded)


def _option_id(index: int) -> str:
    """Option ids a, b, c, ... as the GIFT import gives them."""
    return "abcdefghijklmnopqrstuvwxyz"[index] if index < 26 else f"o{index + 1}"


def note_missing(degraded: list[str], missing: list[int], what: str) -> None:
    """Add the placeholder note when any rationale was missing."""
    if missing[0]:
        degraded.append(_NO_FEEDBACK.format(missing[0], what))


def read_truefalse(question: Element, head: Head) -> Read:
    """The answer at 100% is the key; its feedback (or the other's, or the general one) is the rationale."""
    answers = {(a.findtext("text") or "").strip().lower(): a for a in _answers(question)}
    if set(answers) != {"true", "false"}:
        raise Unsupported("A true/false question without a 'true' and a 'false' answer; skipped.")
    key = _fraction(answers["true"]) >= _fraction(answers["false"])
    feedbacks = [text_of(answers[k].find("feedback"), head) for k in (str(key).lower(), str(not key).lower())]
    missing = [0]
    rationale = why(feedbacks[0] or feedbacks[1] or head.general, missing)
    degraded: list[str] = []
    note_missing(degraded, missing, "statement")
    return Read({"type": "true_false", "stem": head.stem, "answer": key, "rationale": rationale}, degraded)


def read_match(question: Element, head: Head) -> Read:
    """Subquestions become prompts; their answers the targets; listed rationales are read back."""
    subs = question.findall("subquestion")
    if len(subs) > MAX_ANSWERS:
        raise Unsupported(f"{len(subs):,} subquestions: more than {MAX_ANSWERS}; skipped.")
    pairs = [(text_of(s, head), (s.findtext("answer/text") or "").strip()) for s in subs]
    prompts = [(p, t) for p, t in pairs if p]
    targets: dict[str, str] = {}
    for _, target in pairs:
        targets.setdefault(target, f"t{len(targets) + 1}")
    main, other = split_other(head.general)
    listed_why = read_listed(main, [p for p, _ in prompts]) or []
    own = parse_listed(other)
    missing = [0]
    rows = [{"id": f"p{i + 1}", "text": p, "match": targets[t],
             "rationale": why(listed_why[i] if listed_why else head.general, missing)}
            for i, (p, t) in enumerate(prompts)]
    target_rows = [{"id": ident, "text": text, **({"rationale": own[text]} if own.get(text) else {})}
                   for text, ident in targets.items()]
    degraded: list[str] = []
    note_missing(degraded, missing, "pair(s)")
    return Read({"type": "matching", "stem": head.stem, **_shuffle(question), "prompts": rows,
                 "targets": target_rows}, degraded)


def read_ordering(question: Element, head: Head) -> Read:
    """Answers sorted by fraction are the steps; grading type picks the scoring rule."""
    answers = sorted(_answers(question), key=_fraction)
    texts = [text_of(a, head) for a in answers]
    grading = (question.findtext("gradingtype") or "").strip().upper()
    degraded: list[str] = []
    if grading not in ("ALL_OR_NOTHING", "ABSOLUTE_POSITION", "ABS", "ABSOLUTE"):
        degraded.append(f"Moodle grading {grading or 'RELATIVE'!r} replaced by credit per position")
    if (question.findtext("selecttype") or "ALL").strip().upper() not in ("ALL", "EXACT"):
        degraded.append("Moodle showed a subset of the steps; every step is shown here")
    listed_why = read_listed(head.general, texts) or []
    missing = [0]
    options = [{"id": f"s{i + 1}", "text": t, "rationale": why(listed_why[i] if listed_why else "", missing)}
               for i, t in enumerate(texts)]
    note_missing(degraded, missing, "step(s)")
    scoring = "all_or_nothing" if grading == "ALL_OR_NOTHING" else "per_position"
    return Read({"type": "ordering", "stem": head.stem, "scoring": scoring, "options": options}, degraded)
