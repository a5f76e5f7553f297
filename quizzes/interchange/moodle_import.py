"""Import Moodle XML into items of our schema, with a line-numbered report like the GIFT import's.

The file is parsed with defusedxml (no DTD, no entities, no external references), so a hostile file
cannot expand or fetch anything; expat reads it in linear time. Every ``<question>`` is one report
line at the line it starts on. A question that cannot be read or does not fit is skipped with the
reason and the reader carries on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from course.content import ContentError
from quizzes.interchange.gift import (
    DEFAULT_MAX_QUESTIONS,
    DEGRADED,
    IMPORTED,
    SKIPPED,
    GiftResult,
    ImportedQuestion,
    ReportLine,
    TooManyQuestions,
)
from quizzes.interchange.gift_types import Unsupported, excerpt
from quizzes.interchange.moodle_files import ImportedImage, attach_images
from quizzes.interchange.moodle_read import (
    Head,
    Read,
    common_fields,
    read_match,
    read_multichoice,
    read_ordering,
    read_truefalse,
)
from quizzes.interchange.moodle_read_cloze import read_ddwtos, read_gapselect, read_multianswer
from quizzes.interchange.moodle_read_typed import read_essay, read_numerical, read_shortanswer
from quizzes.types import REGISTRY
from quizzes.types.base import TOPICS

# The reader of each Moodle question type that has an item type here.
READERS: dict[str, Callable[[Element, Head], Read]] = {
    "multichoice": read_multichoice,
    "truefalse": read_truefalse,
    "match": read_match,
    "ordering": read_ordering,
    "ddwtos": read_ddwtos,
    "gapselect": read_gapselect,
    "multianswer": read_multianswer,
    "numerical": read_numerical,
    "shortanswer": read_shortanswer,
    "essay": read_essay,
}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ELEMENTS = 200_000  # a 2 MiB file of empty elements; more is not a question bank


@dataclass(frozen=True)
class MoodleQuestion(ImportedQuestion):
    """An imported question with the cleaned images its text names (stored per course on save)."""

    images: tuple[ImportedImage, ...] = ()


class MoodleXmlError(ValueError):
    """The file is not well-formed Moodle XML (or is hostile); nothing was imported."""


class _Lines(TreeBuilder):
    """A tree builder that notes the line each <question> starts on, and counts elements."""

    def __init__(self) -> None:
        """Start with no parser; the caller links it before feeding."""
        super().__init__()
        self.parser: Any = None
        self.lines: list[int] = []
        self.count = 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        """Record where questions start; refuse absurd element counts early."""
        self.count += 1
        if self.count > MAX_ELEMENTS:
            raise MoodleXmlError(f"The file has more than {MAX_ELEMENTS:,} XML elements.")
        if tag == "question":
            self.lines.append(self.parser.parser.CurrentLineNumber)
        return super().start(tag, attrs)


def parse_tree(text: str) -> tuple[Element, list[int]]:
    """The <quiz> root and the start line of every <question> in document order."""
    builder = _Lines()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(text)
        root = parser.close()
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise MoodleXmlError(f"This is not well-formed XML (line {line}, column {column + 1}).") from exc
    except DefusedXmlException as exc:
        raise MoodleXmlError("The file declares a DTD or entities, which Moodle XML never needs; "
                             "it was refused.") from exc
    if root.tag != "quiz":
        raise MoodleXmlError(f"This is not Moodle XML: the root element is <{root.tag}>, not <quiz>.")
    return root, builder.lines


def parse_moodle_xml(text: str, *, topic: str = "ms-and-muscles", id_prefix: str = "moodle",
                     max_questions: int | None = DEFAULT_MAX_QUESTIONS) -> GiftResult:
    """Read Moodle XML; bad questions become report lines. Raises MoodleXmlError for a bad file.

    ``topic`` is used when neither the category nor a ``module:`` tag names one of ours; item ids are
    the question's idnumber when it is a slug, else ``<id_prefix>-<name>``.
    """
    if topic not in TOPICS:
        raise ValueError(f"topic must be one of {', '.join(TOPICS)}, not {topic!r}")
    root, lines = parse_tree(text)
    questions = [(q, line) for q, line in zip(root.iter("question"), lines)]
    count = sum(1 for q, _ in questions if q.get("type") != "category")
    if max_questions is not None and count > max_questions:
        raise TooManyQuestions(count, max_questions)
    result, category, used = GiftResult(), None, set[str]()
    for question, line in questions:
        if question.get("type") == "category":
            category = _text(question.find("category")) or None
            continue
        _read_one(result, question, line, category, topic, id_prefix, used)
    return result


def _text(el: Element | None) -> str:
    """The <text> of a Moodle text field, or ''."""
    return (el.findtext("text") or "") if el is not None else ""


def _topic(category: str | None, tags: dict[str, str], default: str) -> str:
    """A module: tag, else the last part of the category when it names a topic, else the default."""
    if tags.get("module") in TOPICS:
        return tags["module"]
    last = re.sub(r"[^a-z0-9]+", "-", (category or "").rsplit("/", 1)[-1].lower()).strip("-")
    return last if last in TOPICS else default


def _unique(base: str, used: set[str]) -> str:
    """The base id, or base-2, base-3 ... when it is taken in this import."""
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _read_one(result: GiftResult, question: Element, line: int, category: str | None, topic: str,
              id_prefix: str, used: set[str]) -> None:
    """Read one question and add its outcome to the result."""
    qtype = question.get("type", "")
    head = common_fields(question)
    label = head.title or excerpt(head.stem) or f"question at line {line}"
    try:
        reader = READERS.get(qtype)
        if reader is None:
            raise Unsupported(f"Moodle question type {qtype!r} has no item type here; skipped.")
        read: Read = reader(question, head)
        idnumber = head.idnumber if _SLUG.match(head.idnumber) else ""
        slug = re.sub(r"[^a-z0-9]+", "-", head.title.lower()).strip("-")[:60].strip("-")
        item_id = _unique(idnumber or f"{id_prefix}-{slug or f'line-{line}'}", used)
        item: dict[str, Any] = {"id": item_id, "type": read.fields.pop("type"),
                                "topic": _topic(category, head.tags, topic)}
        if head.title and head.title != head.idnumber:
            item["title"] = head.title
        if head.tags.get("cjmm"):
            item["cjmm"] = head.tags["cjmm"]
        item.update(read.fields)
        if head.sources:
            item["sources"] = head.sources
        item, images, image_notes = attach_images(question, item)
        REGISTRY[item["type"]].validate(item, f"Moodle XML line {line}")
    except Unsupported as err:
        result.report.append(ReportLine(SKIPPED, label, line, str(err)))
        return
    except (ContentError, KeyError, ValueError, TypeError, IndexError) as err:
        result.report.append(ReportLine(SKIPPED, label, line, f"Does not fit the item schema: {err}"))
        return
    used.add(item_id)
    degraded = tuple(head.degraded + read.degraded + image_notes)
    result.questions.append(MoodleQuestion(item, line, label, category, degraded, tuple(images)))
    status, why = (DEGRADED, "; ".join(degraded)) if degraded else (IMPORTED, f"Imported as {item['type']}.")
    result.report.append(ReportLine(status, label, line, why))
