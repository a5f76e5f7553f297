"""Shared shapes of the question-type registry: results, parse output and the type record."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from .form_spec import TypeForm

Item = Mapping[str, Any]
Form = Mapping[str, Any]
Response = dict[str, Any]

TOPICS = (
    "ms-and-muscles",
    "weakness",
    "spasticity",
    "contractures-skin",
    "atrophy",
    "diagnosis",
    "falls-safety",
    "everyday-care",
    "medication-safety",
)

# Each topic is one teaching module, named as the module names itself (tests check they match).
TOPIC_TITLES = dict(zip(TOPICS, (
    "How MS affects muscles", "Weakness", "Spasticity", "Contractures and skin",
    "Types of muscle atrophy", "Diagnostic tests", "Falls and safety",
    "Coordination, swallowing, bones and fatigue", "Medication safety")))

# The six steps of NCSBN's clinical judgment measurement model, in the order a case unfolds.
CJMM_STEPS = (
    "recognize_cues",
    "analyze_cues",
    "prioritize_hypotheses",
    "generate_solutions",
    "take_action",
    "evaluate_outcomes",
)


@dataclass(frozen=True)
class PartResult:
    """The score of one scored part of an item (an option, row, blank, zone or group)."""

    part_id: str
    label: str
    points: float
    max_points: float
    correct: bool
    chosen: object
    expected: object
    rationale: str


@dataclass(frozen=True)
class ScoreResult:
    """The score of a whole item: total points, maximum and the per-part breakdown."""

    points: float
    max_points: float
    parts: tuple[PartResult, ...]

    @property
    def fraction(self) -> float:
        """Points as a share of the maximum (0.0 when the item is worth nothing)."""
        return self.points / self.max_points if self.max_points else 0.0


class ParseResult(NamedTuple):
    """A posted form turned into a stored response, plus what was wrong with it."""

    response: Response
    problems: tuple[str, ...]

    @property
    def valid(self) -> bool:
        """True when the response may be saved and scored as posted."""
        return not self.problems


@dataclass(frozen=True)
class Exchange:
    """A type in one interchange format: written by that format's writer, or a reason it cannot be."""

    written: bool = False
    reason: str = ""


# The format's module has a writer for this type (its table is keyed by the type's name).
WRITTEN = Exchange(written=True)


def cannot(reason: str) -> Exchange:
    """The type is left out of a format, for this reason (shown to the instructor who exports)."""
    return Exchange(reason=reason)


def no_guess(item: Item) -> float | None:
    """No simple expected score for a blind guesser."""
    return None


def as_stored(item: Item, response: Mapping[str, Any]) -> Mapping[str, Any]:
    """Count the stored response's parts as they are."""
    return response


def no_label(item: Item, key: str) -> str | None:
    """No type-specific name for a response key: item analysis looks the key up in the item."""
    return None


@dataclass(frozen=True)
class Stats:
    """What item analysis asks of a type; each default means nothing type-specific."""

    # Expected fraction of the mark a blind guesser earns (Moodle reports it where it is simple).
    guess: Callable[[Item], float | None] = no_guess
    # The stored response reshaped into the parts that are counted, as the type scores them.
    counted: Callable[[Item, Mapping[str, Any]], Mapping[str, Any]] = as_stored
    # Words for a counted part the item does not name itself (a bowtie zone, an ordering position).
    part_label: Callable[[Item, str], str | None] = no_label


PLAIN_STATS = Stats()


@dataclass(frozen=True)
class QuestionType:
    """One entry of the registry: how to validate, show, read, score, edit, export and analyse a kind of item."""

    name: str
    label: str
    family: str
    validate: Callable[[Item, str], None]
    public_view: Callable[[Item, str], dict[str, Any]]
    parse: Callable[[Item, Form, str], ParseResult]
    score: Callable[[Item, Any], ScoreResult]
    max_points: Callable[[Item], float]
    form: TypeForm
    gift: Exchange
    qti: Exchange
    stats: Stats
    # Moodle XML support; the default (no writer, no reason) fails the registry's completeness test.
    moodle: Exchange = Exchange()
    # Scored by a person (an essay): the attempt's grade waits for the instructor.
    manual: bool = False

    @property
    def template(self) -> str:
        """The Jinja template that renders this type (written by the web layer)."""
        return f"quizzes/items/{self.name}.html"


def total(parts: Iterable[PartResult], *, floor: bool = False) -> ScoreResult:
    """Add part points into a result; ``floor`` clamps a +/- total at zero."""
    parts = tuple(parts)
    points = float(sum(p.points for p in parts))
    if floor:
        points = max(0.0, points)
    return ScoreResult(points=points, max_points=float(sum(p.max_points for p in parts)), parts=parts)


def zero(result: ScoreResult) -> ScoreResult:
    """The same breakdown with every point removed, for responses that break the item's rules."""
    parts = tuple(
        PartResult(p.part_id, p.label, 0.0, p.max_points, False, p.chosen, p.expected, p.rationale)
        for p in result.parts
    )
    return ScoreResult(points=0.0, max_points=result.max_points, parts=parts)
