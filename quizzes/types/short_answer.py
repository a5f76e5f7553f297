"""Short answer: a typed word or phrase matched against accepted answers, with case and spelling rules."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import quizzes.types.checks as checks

from .base import (
    WRITTEN,
    Form,
    Item,
    ParseResult,
    PartResult,
    QuestionType,
    ScoreResult,
    Stats,
    total,
)
from .form_spec import Col, Rows, Scalar, TypeForm
from .forms import as_map, public_base, values

MAX_CHARS = 200
MAX_TYPOS = 2
DEFAULT_TYPOS = 1
DEFAULT_MIN_LENGTH = 5  # words shorter than this must be spelt exactly (drug names differ by a letter)
_JOINERS = re.compile(r"['\u2019\u2018`\-\u2010\u2011\u2013]")  # Lhermitte's = Lhermittes; hyper-reflexia
_PUNCT = re.compile(r"[^\w\s]")


def normalise(text: str, case_sensitive: bool = False) -> str:
    """Compare text without its punctuation, extra spaces or (unless asked) case."""
    text = unicodedata.normalize("NFKC", text)
    text = _PUNCT.sub(" ", _JOINERS.sub("", text))
    text = " ".join(text.replace("_", " ").split())
    return text if case_sensitive else text.casefold()


def distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): edits, counting a swap of neighbours as one."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[len(b)]


def _rules(item: Item) -> tuple[bool, int, int]:
    """Case sensitivity, spelling slips allowed per word, and the shortest word they are allowed in."""
    typos = item.get("typos", DEFAULT_TYPOS)
    length = item.get("typo_min_length", DEFAULT_MIN_LENGTH)
    return item.get("case_sensitive") is True, typos, length


def words_match(accepted: str, given: str, typos: int, min_length: int) -> bool:
    """Word by word: equal, or within ``typos`` edits when the accepted word is long enough."""
    want, got = accepted.split(), given.split()
    if not want or len(want) != len(got):
        return False
    return all(w == g or (len(w) >= min_length and distance(w, g) <= typos) for w, g in zip(want, got))


def match(item: Item, text: str) -> tuple[str | None, bool]:
    """The accepted answer the text matches (None if none) and whether it matched exactly."""
    case, typos, length = _rules(item)
    given = normalise(text, case)
    if not given:
        return None, False
    for accepted in item["answers"]:
        if normalise(accepted, case) == given:
            return accepted, True
    for accepted in item["answers"]:
        if words_match(normalise(accepted, case), given, typos, length):
            return accepted, False
    return None, False


def validate(item: Item, where: str) -> None:
    """Accepted answers as text, a rationale, and spelling rules in range."""
    checks.common(item, where, "short_answer", {"answers", "rationale"},
                  {"case_sensitive", "typos", "typo_min_length"}, shuffle_ok=False)
    checks.text(item, "rationale", where, "")
    seq = checks.entries(item, "answers", where, min_n=1, max_n=20)
    seen: list[str] = []
    for i, answer in enumerate(seq):
        if not isinstance(answer, str) or not normalise(answer):
            checks.fail(where, f"answers[{i}]", f"must be text with a letter or digit, not {answer!r}")
        if len(answer) > MAX_CHARS:
            checks.fail(where, f"answers[{i}]", f"must be at most {MAX_CHARS} characters")
        key = normalise(answer, checks.flag(item, "case_sensitive", where, ""))
        if key in seen:
            checks.fail(where, f"answers[{i}]", f"{answer!r} repeats an earlier answer once normalised")
        seen.append(key)
    for key, low, high in (("typos", 0, MAX_TYPOS), ("typo_min_length", 1, 40)):
        value = item.get(key, low)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            checks.fail(where, key, f"must be a whole number from {low} to {high}, not {value!r}")


def public_view(item: Item, seed: str) -> dict[str, Any]:
    """The stem and the longest answer the box takes; never an accepted answer."""
    view = public_base(item)
    view["max_chars"] = MAX_CHARS
    return view


def parse(item: Item, form: Form, prefix: str) -> ParseResult:
    """Read ``{prefix}text``; an answer longer than the box allows is refused."""
    text = (values(form, f"{prefix}text") or [""])[0]
    if len(text) > MAX_CHARS:
        return ParseResult({"text": text[:MAX_CHARS]}, (f"Keep the answer under {MAX_CHARS} characters.",))
    return ParseResult({"text": text}, ())


def _typed(response: Any) -> str:
    """The stored text (anything else counts as blank)."""
    text = as_map(response).get("text")
    return text[:MAX_CHARS] if isinstance(text, str) else ""


def score(item: Item, response: Any) -> ScoreResult:
    """1 point when the text matches an accepted answer under the item's rules."""
    text = _typed(response)
    found, exact = match(item, text)
    note = "" if found is None or exact else f"Accepted with a spelling slip: it is spelt {found}."
    why = f"{note}\n\n{item['rationale']}" if note else item["rationale"]
    right = found is not None
    return total([PartResult("answer", "Answer", 1.0 if right else 0.0, 1.0, right, text.strip() or None,
                             item["answers"][0], why)])


def max_points(item: Item) -> float:
    """One point."""
    return 1.0


def counted(item: Item, response: Mapping[str, Any]) -> dict[str, Any]:
    """The typed answer, normalised so that 'Baclofen.' and 'baclofen' count together."""
    case = item.get("case_sensitive") is True
    return {"answer": normalise(_typed(response), case) or None}


def part_label(item: Item, key: str) -> str | None:
    """The one counted part."""
    return "Answer" if key == "answer" else None


FORM = TypeForm("short_answer", (
    Scalar("rationale", "Rationale", "md"),
    Scalar("case_sensitive", "Case matters (e.g. an abbreviation)", "bool", required=False),
    Scalar("typos", "Spelling slips allowed per word", "number", required=False,
           choices=(("1", "One (a letter wrong, missing, extra or two letters swapped)"), ("0", "None"),
                    ("2", "Two"))),
    Scalar("typo_min_length", "Only in words of at least this many letters", "number", required=False),
), (Rows("answers", "Accepted answers", "Answer", (Col("text", "Answer", "line"),), 1, 20,
         "Punctuation and extra spaces never matter; case matters only when ticked above."),), False, bare_rows=True)

TYPES = (QuestionType("short_answer", "Short answer", "classic", validate, public_view, parse, score, max_points,
                      form=FORM, gift=WRITTEN, qti=WRITTEN, stats=Stats(counted=counted, part_label=part_label),
                      moodle=WRITTEN),)
