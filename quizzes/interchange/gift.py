"""Import Moodle GIFT text into items of our schema, with a line-numbered report.

Follows Moodle's own reader (``question/format/gift/format.php``): questions are separated by
blank lines; ``//`` lines are comments; ``::title::`` names a question; the first ``{...}`` holds
the answers; text after the closing brace makes a "missing word" question; ``####`` starts
general feedback; ``#`` starts per-answer feedback; true/false feedback is ``{T#wrong#right}``.
A bad question becomes a report line and the reader carries on with the next one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from course.content import ContentError
from quizzes.interchange.gift_export import protect, split_format, unescape
from quizzes.interchange.gift_typed import typed_fields
from quizzes.interchange.gift_types import (
    DEFAULT_CLOZE_STEM,
    PLACEHOLDER_RATIONALE,
    GiftSyntaxError,
    Unsupported,
    build_fields,
    clean,
    excerpt,
)
from quizzes.types import REGISTRY
from quizzes.types.base import TOPICS

IMPORTED, SKIPPED, DEGRADED = "imported", "skipped", "degraded"
# Our exporter records what GIFT cannot hold in comments: "// [id:slug]" (Moodle 4 reads it as the
# idnumber; older exports wrote "// id: slug", still read), "// shuffle: false" and one
# "// source: citation" per source, which Moodle ignores.
_HINT = re.compile(r"^//\s*(?:(id|shuffle|source):\s*(.*?)|\[(id):([^\]]*)\])\s*$")
# Moodle trims with PHP's trim(), which leaves a non-breaking space alone; so do we, because
# our exporter ends a missing-word question whose blank ends the text with one.
_PHP_SPACE = " \t\n\r\x00\x0b"
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEFAULT_MAX_QUESTIONS = 2000


class TooManyQuestions(ValueError):
    """A file with more questions than one import may hold; nothing was parsed."""

    def __init__(self, count: int, limit: int) -> None:
        """Say how many there are and how many are allowed."""
        super().__init__(f"The file has {count:,} questions; one import takes at most "
                         f"{limit:,} questions. Split it into smaller files.")
        self.count, self.limit = count, limit


@dataclass(frozen=True)
class ReportLine:
    """What happened to one question: imported, skipped or degraded, where, and why."""

    status: str
    title: str
    line: int
    reason: str


@dataclass(frozen=True)
class ImportedQuestion:
    """One item built from GIFT, valid against the schema, with any losses listed."""

    item: dict[str, Any]
    line: int
    title: str
    category: str | None
    degraded: tuple[str, ...] = ()


@dataclass
class GiftResult:
    """The items that could be imported and one report line per question seen."""

    questions: list[ImportedQuestion] = field(default_factory=list)
    report: list[ReportLine] = field(default_factory=list)


@dataclass
class _Block:
    """One blank-line-separated chunk of the file with comments blanked out."""

    line: int
    text: str
    hints: dict[str, Any]


def _blocks(text: str) -> list[_Block]:
    """Split the file into question blocks, blanking ``//`` comment lines (Moodle does too)."""
    blocks: list[_Block] = []
    current: list[str] = []
    start = 1
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text) + [""], start=1):
        if raw.strip(_PHP_SPACE):
            if not current:
                start = number
            current.append(raw)
            continue
        if current:
            blocks.append(_clean_block(start, current))
            current = []
    return [b for b in blocks if b.text]


def _clean_block(start: int, lines: list[str]) -> _Block:
    """Blank comments, remember our exporter's hints, and drop leading empty lines."""
    hints: dict[str, Any] = {}
    kept: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("//"):
            _add_hint(hints, _HINT.match(stripped))
            line = ""
        kept.append(line)
    # One slice, not a pop(0) per line: 200,000 comment lines above a question took 10 s.
    first = next((i for i, line in enumerate(kept) if line.strip(_PHP_SPACE)), len(kept))
    return _Block(start + first, "\n".join(kept[first:]).strip(_PHP_SPACE), hints)


def _add_hint(hints: dict[str, Any], match: re.Match[str] | None) -> None:
    """Record one well-formed hint comment; anything else stays an ordinary comment."""
    if not match:
        return
    key, value = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4).strip())
    if key == "id" and _SLUG.match(value):
        hints["id"] = value
    elif key == "shuffle" and value in ("true", "false"):
        hints["shuffle"] = value == "true"
    elif key == "source" and value:
        hints.setdefault("sources", []).append(value)


@dataclass
class _Context:
    """What carries over from one question to the next while reading a file."""

    topic: str
    id_prefix: str
    category: str | None = None
    used: set[str] = field(default_factory=set)
    # Where the -2, -3 ... search for each base id resumes, so duplicates cost O(1) each.
    next_suffix: dict[str, int] = field(default_factory=dict)


def parse_gift(text: str, *, topic: str = "ms-and-muscles", id_prefix: str = "gift",
               max_questions: int | None = DEFAULT_MAX_QUESTIONS) -> GiftResult:
    """Read GIFT text; never raises for bad questions, reporting each problem with its line.

    ``topic`` is used for questions whose ``$CATEGORY`` does not end in one of our topics;
    item ids are ``<id_prefix>-<title>`` unless our exporter left an ``// id:`` comment.
    A file of more than ``max_questions`` questions raises TooManyQuestions before any parsing.
    """
    if topic not in TOPICS:
        raise ValueError(f"topic must be one of {', '.join(TOPICS)}, not {topic!r}")
    blocks = _blocks(protect(text))
    count = sum(1 for b in blocks if not _is_category_only(b.text))
    if max_questions is not None and count > max_questions:
        raise TooManyQuestions(count, max_questions)
    result, ctx = GiftResult(), _Context(topic, id_prefix)
    for block in blocks:
        body, line = block.text, block.line
        if body.startswith("$CATEGORY:"):
            first, _, body = body.partition("\n")
            ctx.category = unescape(first[len("$CATEGORY:"):]).strip() or None
            line += 1
            body = body.strip(_PHP_SPACE)
            if not body:
                continue
        _read_one(result, body, line, block.hints, ctx)
    return result


def _is_category_only(body: str) -> bool:
    """A block that only sets ``$CATEGORY`` (no question after it)."""
    return body.startswith("$CATEGORY:") and not body.partition("\n")[2].strip(_PHP_SPACE)


def _topic_for(category: str | None, default: str) -> str:
    """Use the last part of ``$CATEGORY`` as the topic when it names one of ours."""
    if category:
        last = re.sub(r"[^a-z0-9]+", "-", category.rsplit("/", 1)[-1].lower()).strip("-")
        if last in TOPICS:
            return last
    return default


def _read_one(result: GiftResult, body: str, line: int, hints: dict[str, Any], ctx: _Context) -> None:
    """Parse one question block and add its outcome to the result."""
    title = _title_of(body)
    try:
        fields, degraded = _parse_question(body, line)
        base = f"{ctx.id_prefix}-{title}" if title else f"{ctx.id_prefix}-line-{line}"
        item_id = _unique_id(hints.get("id") or _slug(base), ctx)
        topic = _topic_for(ctx.category, ctx.topic)
        item = {"id": item_id, "type": fields.pop("type"), "topic": topic, **fields}
        if title:
            item["title"] = title
        item.update({k: v for k, v in hints.items() if k != "id"})
        REGISTRY[item["type"]].validate(item, f"GIFT line {line}")
    except GiftSyntaxError as err:
        result.report.append(ReportLine(SKIPPED, title or excerpt(body), err.line, f"Syntax error: {err.message}"))
        return
    except Unsupported as err:
        result.report.append(ReportLine(SKIPPED, title or excerpt(body), line, str(err)))
        return
    except ContentError as err:
        result.report.append(ReportLine(SKIPPED, title or excerpt(body), line, f"Does not fit the item schema: {err}"))
        return
    ctx.used.add(item_id)
    label = title or excerpt(item["stem"])
    result.questions.append(ImportedQuestion(item, line, label, ctx.category, tuple(degraded)))
    if degraded:
        result.report.append(ReportLine(DEGRADED, label, line, "; ".join(degraded)))
    else:
        result.report.append(ReportLine(IMPORTED, label, line, f"Imported as {item['type']}."))


def _slug(text: str) -> str:
    """A lowercase slug for an item id, at most 60 characters."""
    slug = re.sub(r"[^a-z0-9]+", "-", unescape(text).lower()).strip("-")[:60].strip("-")
    return slug or "gift"


def _unique_id(base: str, ctx: _Context) -> str:
    """Add -2, -3, ... until the id is new in this import, resuming where the last search
    for this base stopped (a rescan from -2 made 16,000 duplicates take 22 s)."""
    candidate, n = base, ctx.next_suffix.get(base, 2)
    while candidate in ctx.used:
        candidate, n = f"{base}-{n}", n + 1
    if candidate != base:
        # Resume at this suffix, not after it: the question may still be skipped, unused.
        ctx.next_suffix[base] = n - 1
    return candidate


def _line_at(body: str, pos: int, line: int) -> int:
    """The file line of a character position inside a block."""
    return line + body.count("\n", 0, pos)


def _title_of(body: str) -> str:
    """The ``::title::`` of a block, or an empty string."""
    end = body.find("::", 2) if body.startswith("::") else -1
    return unescape(body[2:end]).strip() if end >= 0 else ""


def _parse_question(body: str, line: int) -> tuple[dict[str, Any], list[str]]:
    """Split title, text and answer block, then build the item fields for its type."""
    offset = 0
    if body.startswith("::"):
        offset = body.find("::", 2) + 2
        if offset < 2:
            raise GiftSyntaxError("the title opened with '::' is never closed", line)
    open_at, close_at = body.find("{", offset), body.find("}", offset)
    if open_at < 0 and close_at < 0:
        raise Unsupported("No answer block: a description, not a question; skipped.")
    if close_at < 0:
        raise GiftSyntaxError("'{' is never closed with '}'", _line_at(body, open_at, line))
    if open_at < 0 or close_at < open_at:
        raise GiftSyntaxError("'}' without a matching '{'", _line_at(body, close_at, line))
    inner = body[open_at + 1:close_at]
    if "{" in inner:
        raise GiftSyntaxError("'{' inside an answer block (escape it as \\{)", _line_at(body, open_at, line))
    extra = min((p for p in (body.find("{", close_at), body.find("}", close_at + 1)) if p >= 0), default=-1)
    if extra >= 0:
        raise GiftSyntaxError("a second answer block or stray brace; GIFT allows one", _line_at(body, extra, line))
    before, after = body[offset:open_at], body[close_at + 1:]
    answers_line = _line_at(body, open_at, line) + inner[:len(inner) - len(inner.lstrip())].count("\n")
    answers, general = inner.strip(), ""
    if "####" in answers:
        answers, general = answers[:answers.rfind("####")].rstrip(), answers[answers.rfind("####") + 4:]
    # Only the left side is stripped: the space before a missing-word blank belongs to the text.
    fmt, before = split_format(before.lstrip())
    typed = typed_fields(before, after, answers, clean(general), answers_line)
    fields, degraded = typed or build_fields(before, after, answers, clean(general), answers_line)
    if fmt == "html":
        degraded.append("HTML question text kept as written; check that it reads well as Markdown")
    return fields, degraded


__all__ = [
    "DEFAULT_CLOZE_STEM",
    "DEGRADED",
    "GiftResult",
    "GiftSyntaxError",
    "IMPORTED",
    "ImportedQuestion",
    "PLACEHOLDER_RATIONALE",
    "ReportLine",
    "SKIPPED",
    "TooManyQuestions",
    "parse_gift",
]
