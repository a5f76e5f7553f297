"""Flask-WTF authoring forms built from the per-type row descriptions in ``quizzes.authoring.form_rows``."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in types-WTForms
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from course.forms import AppForm, NumberField, WholeNumberField
from quizzes.authoring.form_convert import FormResult, blank_row, form_to_item, item_to_data
from quizzes.authoring.form_rows import SPECS, Col, Rows, Scalar, TypeForm
from quizzes.models import aware
from quizzes.types import CJMM_STEPS, TOPIC_TITLES, TOPICS

# What datetime-local controls send; the first is what the form writes back (minutes, no seconds).
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def utc_of_local(value: datetime | None) -> datetime | None:
    """A datetime-local value (no zone) read as UTC, which the label says."""
    return value.replace(tzinfo=UTC) if value is not None else None


def local_of_utc(value: datetime | None) -> datetime | None:
    """A stored date as a datetime-local control shows it: UTC, without the zone."""
    found = aware(value)
    return found.astimezone(UTC).replace(tzinfo=None) if found else None


def choices(pairs: Any) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


TOPIC_CHOICES = choices((t, TOPIC_TITLES[t]) for t in TOPICS)
CJMM_CHOICES = choices([("", "None")] + [(s, s.replace("_", " ").capitalize()) for s in CJMM_STEPS])
SPARE_ROWS = 1
_ROW_FIELD = re.compile(r"^([a-z_]+)-([0-9]{1,4})-")  # row counts are clamped anyway

__all__ = ["FormResult", "ImportForm", "QuestionForm", "QuizSettingsForm", "RandomSlotForm", "build_form",
           "form_to_item", "item_to_data", "question_form_class", "row_counts"]


class QuestionForm(AppForm):
    """Fields every question type has; type-specific ones are added by question_form_class."""

    title = StringField("Title (optional, for lists and exports)", validators=[Optional()])
    topic = SelectField("Topic", choices=TOPIC_CHOICES, validators=[InputRequired()])
    stem = TextAreaField("Stem (Markdown)", validators=[InputRequired("Write the question stem.")])
    cjmm = SelectField("Clinical judgement step (optional)", choices=CJMM_CHOICES, validators=[Optional()])
    sources = TextAreaField("Sources (optional, one citation per line)", validators=[Optional()])
    category = StringField("Category", validators=[Optional()])
    tags = StringField("Tags (comma-separated)", validators=[Optional()])
    shuffle = BooleanField("Shuffle the options for each learner", default=True)

    type_name = ""
    spec: TypeForm


def _col_field(col: Col) -> Any:
    """The WTForms field for one column of a repeated row."""
    if col.kind == "bool":
        return BooleanField(col.label)
    if col.kind in ("md", "options"):
        return TextAreaField(col.label, validators=[Optional()])
    return StringField(col.label, validators=[Optional()])


def _scalar_field(s: Scalar) -> Any:
    """The WTForms field for one type-specific single field."""
    if s.kind == "bool":
        return BooleanField(s.label)
    if s.kind == "int":
        return WholeNumberField(s.label, validators=[InputRequired("Give a whole number."), NumberRange(1, 11)])
    if s.kind in ("tf", "choice") or s.choices:
        return SelectField(s.label, choices=choices(s.choices),
                           validators=[InputRequired() if s.required else Optional()])
    if s.kind in ("md", "options"):
        return TextAreaField(s.label, validators=[Optional()])
    return StringField(s.label, validators=[Optional()])


@functools.lru_cache(maxsize=256)
def _row_form(type_name: str, key: str) -> type[Form]:
    """A plain WTForms form for one row; nested rows carry no CSRF token of their own."""
    rows = next(r for r in SPECS[type_name].rows if r.key == key)
    return type(f"{type_name}_{key}_row", (Form,), {c.name: _col_field(c) for c in rows.cols})


@functools.lru_cache(maxsize=512)
def _form_class(type_name: str, counts: tuple[tuple[str, int], ...]) -> type[QuestionForm]:
    """The cached form class for a type with a given number of rows per list."""
    spec = SPECS[type_name]
    wanted = dict(counts)
    attrs: dict[str, Any] = {"type_name": type_name, "spec": spec}
    for scalar in spec.scalars:
        attrs[scalar.name] = _scalar_field(scalar)
    for rows in spec.rows:
        attrs[rows.key] = FieldList(FormField(_row_form(type_name, rows.key)), label=rows.label,
                                    min_entries=wanted.get(rows.key, rows.min_n), max_entries=rows.max_n + SPARE_ROWS)
    return type(f"{type_name}_question_form", (QuestionForm,), attrs)


def question_form_class(type_name: str, counts: Mapping[str, int] | None = None) -> type[QuestionForm]:
    """The form class for a registry type, with ``counts`` rows per list (clamped to the limits)."""
    spec = SPECS[type_name]
    counts = counts or {}
    fixed = tuple((r.key, max(r.min_n, min(int(counts.get(r.key, r.min_n)), r.max_n + SPARE_ROWS)))
                  for r in spec.rows)
    return _form_class(type_name, fixed)


def row_counts(type_name: str, posted: Mapping[str, Any] | None, item: Mapping[str, Any] | None = None,
               add: str | None = None) -> dict[str, int]:
    """How many rows each list should show: what was posted or stored, one spare, plus any added."""
    counts: dict[str, int] = {}
    for rows in SPECS[type_name].rows:
        if posted is not None and any(k.startswith(f"{rows.key}-") for k in posted):
            found = {int(m.group(2)) for k in posted if (m := _ROW_FIELD.match(k)) and m.group(1) == rows.key}
            n = max(found) + 1 if found else rows.min_n
        elif item is not None:
            n = len(item.get(rows.key) or []) + SPARE_ROWS
        else:
            n = rows.min_n + SPARE_ROWS
        counts[rows.key] = n + (1 if add == rows.key else 0)
    return counts


def build_form(type_name: str, *, item: Mapping[str, Any] | None = None, category: str = "",
               tags: list[str] | None = None, posted: Mapping[str, Any] | None = None,
               add: str | None = None) -> QuestionForm:
    """The editor form: from the posted data when there is some, else from a stored item."""
    cls = question_form_class(type_name, row_counts(type_name, posted, item, add))
    if posted is not None:
        form = cls()
    else:
        data = item_to_data(SPECS[type_name], item) if item is not None else {}
        data.update(category=category, tags=", ".join(tags or []))
        form = cls(data=data)
    _fill_ids(form, SPECS[type_name])
    return form


def _fill_ids(form: QuestionForm, spec: TypeForm) -> None:
    """Give empty rows a fresh id so authors need not invent one (highlight text keeps none)."""
    for rows in spec.rows:
        if not any(c.name == "id" and c.required for c in rows.cols):
            continue
        entries = getattr(form, rows.key).entries
        used = {e.form.id.data for e in entries if e.form.id.data}
        prefix = _id_prefix(rows)
        n = 1
        for entry in entries:
            if not entry.form.id.data and blank_row(rows, entry.form.data):
                while f"{prefix}{n}" in used:
                    n += 1
                entry.form.id.data = f"{prefix}{n}"
                used.add(entry.form.id.data)


def _id_prefix(rows: Rows) -> str:
    """A short id prefix for a list: o1 for options, r1 for rows, t1 for targets..."""
    return {"options": "o", "columns": "c", "rows": "r", "prompts": "p", "targets": "t", "tokens": "k",
            "blanks": "b", "condition": "c", "actions": "a", "parameters": "p"}.get(rows.key, rows.key[0])


# --- quiz builder and import forms ---------------------------------------------------------------

class QuizSettingsForm(AppForm):
    """The learner-facing settings of a quiz (the same ones the attempt engine applies)."""

    title = StringField("Title", validators=[InputRequired("Give the quiz a title."), Length(max=255)])
    description = TextAreaField("Description (Markdown, optional)", validators=[Optional()])
    attempts_allowed = WholeNumberField("Attempts allowed (0 = unlimited)", default=3,
                                    validators=[InputRequired("Give a whole number."), NumberRange(0, 100)])
    grading = SelectField("Grade to keep", choices=choices([
        ("highest", "Highest attempt"), ("average", "Average of attempts"),
        ("first", "First attempt"), ("last", "Last attempt")]))
    time_limit_minutes = WholeNumberField("Time limit in minutes (empty = none)",
                                      validators=[Optional(), NumberRange(1, 600)])
    open_at = DateTimeLocalField("Opens (UTC; empty = open now)", format=LOCAL_FORMATS,
                                 validators=[Optional()])
    close_at = DateTimeLocalField("Closes (UTC; empty = never)", format=LOCAL_FORMATS,
                                  validators=[Optional()])
    shuffle = BooleanField("Shuffle the order of standalone questions")
    review = SelectField("After an attempt, learners see", choices=choices([
        ("score", "Their score only"), ("correctness", "Which answers were right"),
        ("rationales", "Right answers and the rationales")]))
    review_when = SelectField("Show that", choices=choices([("after_each", "After every attempt"),
                                                            ("after_last", "After the last allowed attempt")]))
    # types-WTForms wants a Decimal default; WTForms takes any number.
    pass_mark = NumberField("Pass mark (%)", default=70, places=None,  # type: ignore[call-overload]
                             validators=[InputRequired("Give a percentage."), NumberRange(0, 100)])
    published = BooleanField("Published (learners can see it)", default=True)
    mode = SelectField("Mode", default="exam", choices=choices([
        ("exam", "Exam: answers are marked when the attempt is submitted"),
        ("tutor", "Tutor: learners check each answer and see every option's rationale at once")]))
    tutor_gradebook = BooleanField("Tutor mode: send the grade to the LMS gradebook")

    def validate_close_at(self, field: DateTimeLocalField) -> None:
        """The window must not be empty."""
        if field.data and self.open_at.data and field.data <= self.open_at.data:
            raise ValidationError("The close date must come after the open date.")


class RandomSlotForm(AppForm):
    """"N random questions from a category and/or a tag"."""

    count = WholeNumberField("How many questions", default=1, validators=[InputRequired(), NumberRange(1, 50)])
    category = SelectField("From category", choices=[], validate_choice=False)
    tag = SelectField("With tag", choices=[], validate_choice=False)


class ImportForm(AppForm):
    """A GIFT or Moodle XML file to import into the course bank."""

    file = FileField("GIFT or Moodle XML file (.txt, .gift or .xml, UTF-8)",
                     validators=[FileRequired("Choose a file to import.")])
    dry_run = BooleanField("Dry run: show the report without importing")
