"""The build-your-own practice quiz form."""
from __future__ import annotations

from wtforms import SelectField
from wtforms.validators import InputRequired, NumberRange

from course.forms import AppForm, WholeNumberField
from quizzes.authoring.forms import choices
from quizzes.taking.pages import CJMM_LABELS
from quizzes.tutor.practice import MAX_LENGTH, MIN_LENGTH
from quizzes.types import CJMM_STEPS, REGISTRY, TOPIC_TITLES, TOPICS

ANY = ("", "Any")


def names() -> dict[str, str]:
    """Words for every module, step and question type value the form offers."""
    return {**TOPIC_TITLES, **CJMM_LABELS, **{n: t.label for n, t in REGISTRY.items()}}


class PracticeForm(AppForm):
    """What to practise: a module, an NCJMM step and a question type (each optional), and how many."""

    module = SelectField("Module", default="", choices=choices([ANY, *((t, TOPIC_TITLES[t]) for t in TOPICS)]))
    step = SelectField("Clinical judgement step (NCJMM)", default="",
                       choices=choices([ANY, *((s, CJMM_LABELS[s]) for s in CJMM_STEPS)]))
    kind = SelectField("Question type", default="", choices=choices([
        ANY, *sorted(((n, t.label) for n, t in REGISTRY.items() if not t.manual), key=lambda c: c[1])]))
    length = WholeNumberField(f"How many questions ({MIN_LENGTH} to {MAX_LENGTH})", default=10, validators=[
        InputRequired("Give a whole number."),
        NumberRange(MIN_LENGTH, MAX_LENGTH, f"Choose from {MIN_LENGTH} to {MAX_LENGTH} questions.")])
