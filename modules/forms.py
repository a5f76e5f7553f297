"""Practice forms: read a posted answer into what check_practice expects, and lay out ladders.

Pure code: it takes the posted fields as a mapping, never Flask's request.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from course.numbers import whole_number
from modules.practice import CHOOSE_AN_ANSWER, check_practice, shuffled_steps
from modules.schema import Option, PracticeItem, Step

MAX_FIELD = 200  # ids are short slugs; anything longer is not an answer

# Why a posted form could not be checked; {n} is the number of ladder steps.
PROBLEMS = {
    "choose": "Choose an answer, then select Check answer.",
    "position": "Choose a position from 1 to {n} for every step.",
    "distinct": "Give each step a different position, from 1 to {n}.",
}


@dataclass(frozen=True)
class Submission:
    """A posted answer: ``values`` for check_practice, or a ``problem`` to show the learner."""

    values: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None  # a key of PROBLEMS


@dataclass(frozen=True)
class LadderRow:
    """One ladder step as shown: its text, its select's field name and the chosen position."""

    step: Step
    field: str
    selected: int


def position_field(step: Step) -> str:
    """Name of the select holding a step's position."""
    return f"pos-{step.id}"


def read_submission(item: PracticeItem, form: Mapping[str, Any]) -> Submission:
    """Turn posted fields into a submission; never raises on what a client sends."""
    if item.type == "ladder":
        return _read_ladder(item, form)
    answer = _field(form, "answer")
    if answer not in {o.id for o in item.options}:
        return Submission(problem="choose")
    return Submission(values={"answer": answer})


def _field(form: Mapping[str, Any], name: str) -> str:
    """One posted value as a trimmed string ('' when missing, repeated or too long)."""
    values = form.getlist(name) if hasattr(form, "getlist") else [form.get(name)]
    if len(values) != 1 or not isinstance(values[0], str) or len(values[0]) > MAX_FIELD:
        return ""
    return values[0].strip()


def _read_ladder(item: PracticeItem, form: Mapping[str, Any]) -> Submission:
    """Read one position select per step and order the steps by the positions chosen."""
    count = len(item.steps)
    positions: dict[str, int] = {}
    for step in item.steps:
        position = whole_number(_field(form, position_field(step)), 1, count)
        if position is None:
            return Submission(problem="position")
        positions[step.id] = position
    if len(set(positions.values())) != count:
        return Submission(problem="distinct")
    order = sorted(positions, key=positions.__getitem__)
    return Submission(values={"order": order})


def ladder_rows(item: PracticeItem, seed: str, last: Any = None) -> list[LadderRow]:
    """Steps in the learner's stable shuffled order, each preset to its shown position.

    When the learner answered before, each select shows the position they gave last time.
    """
    shown = shuffled_steps(item, seed)
    ids = [s.id for s in item.steps]
    previous = list(last) if isinstance(last, list) and sorted(last) == sorted(ids) else None
    return [
        LadderRow(step=step, field=position_field(step),
                  selected=(previous.index(step.id) if previous else index) + 1)
        for index, step in enumerate(shown)
    ]


def chosen_option(item: PracticeItem, answer: Any) -> Option | None:
    """The option a stored answer names, if it still exists in the content."""
    if not isinstance(answer, str):
        return None
    try:
        return item.option(answer)
    except KeyError:
        return None


@dataclass(frozen=True)
class Feedback:
    """What an item's feedback region shows: ``state`` is correct, incorrect, problem or empty."""

    state: str = ""
    html: str = ""
    message: str = ""
    chosen: Option | None = None
    code: str = ""


def feedback_for(item: PracticeItem, answer: Any) -> Feedback:
    """Feedback for a stored or just-posted answer; empty when it no longer fits the content."""
    if answer is None:
        return Feedback()
    key = "order" if item.type == "ladder" else "answer"
    result = check_practice(item, {key: answer})
    if result.feedback == CHOOSE_AN_ANSWER:
        return Feedback()
    return Feedback(state="correct" if result.correct else "incorrect", html=result.feedback,
                    chosen=chosen_option(item, answer))


def problem_feedback(item: PracticeItem, code: str) -> Feedback:
    """Feedback asking the learner to fix the form before it can be checked."""
    if code not in PROBLEMS:
        return Feedback()
    message = PROBLEMS[code].format(n=len(item.steps))
    return Feedback(state="problem", message=message, code=code)
