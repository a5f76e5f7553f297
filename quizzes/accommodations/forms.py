"""Accommodation forms: one override, a learner group, and a CSV file to import."""
from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateTimeLocalField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from course.forms import AppForm, WholeNumberField
from quizzes.accommodations.models import QuizOverride
from quizzes.authoring.forms import choices, local_of_utc, utc_of_local
from quizzes.overrides import MAX_EXTRA_ATTEMPTS, MAX_EXTRA_MINUTES, MULTIPLIERS, Rule

TIME_CHOICES = choices([("", "No change"),
                        *((f"{m:g}", f"{m:g} times the quiz's time") for m in MULTIPLIERS),
                        ("extra", "Extra minutes (below)"), ("unlimited", "Unlimited time")])


class OverrideForm(AppForm):
    """Whom, which quiz, and the limits to change; the choices are filled from the course."""

    who = SelectField("Learner or group", validators=[InputRequired("Choose a learner or a group.")])
    # A missing value reads as "" (every quiz, no change), never as the string "None".
    quiz = SelectField("Quiz", choices=[], default="")
    time_rule = SelectField("Time", choices=TIME_CHOICES, default="")
    extra_minutes = WholeNumberField("Extra minutes", validators=[Optional(), NumberRange(
        1, MAX_EXTRA_MINUTES, f"Give a whole number from 1 to {MAX_EXTRA_MINUTES}.")])
    extra_attempts = WholeNumberField("Extra attempts", validators=[Optional(), NumberRange(
        1, MAX_EXTRA_ATTEMPTS, f"Give a whole number from 1 to {MAX_EXTRA_ATTEMPTS}.")])
    open_at = DateTimeLocalField("Opens for them (UTC)", validators=[Optional()])
    close_at = DateTimeLocalField("Closes for them (UTC)", validators=[Optional()])
    note = StringField("Note (optional, e.g. the accommodation letter's reference)",
                       validators=[Optional(), Length(max=255)])

    def rule(self) -> Rule:
        """The rule the form describes (checked by quizzes.overrides.rule_problems)."""
        choice = self.time_rule.data or ""
        multiplier = None if choice in ("", "extra", "unlimited") else float(choice)
        return Rule(time_multiplier=multiplier, unlimited_time=choice == "unlimited",
                    extra_minutes=self.extra_minutes.data if choice == "extra" else None,
                    extra_attempts=self.extra_attempts.data,
                    open_at=utc_of_local(self.open_at.data),
                    close_at=utc_of_local(self.close_at.data))

    def load(self, row: QuizOverride) -> None:
        """Fill the form from a saved override (for the edit page)."""
        self.who.data = f"u{row.user_id}" if row.user_id else f"g{row.group_id}"
        self.quiz.data = str(row.quiz_id or "")
        self.time_rule.data = ("unlimited" if row.unlimited_time else "extra" if row.extra_minutes
                               else f"{row.time_multiplier:g}" if row.time_multiplier else "")
        self.extra_minutes.data, self.extra_attempts.data = row.extra_minutes, row.extra_attempts
        self.open_at.data, self.close_at.data = local_of_utc(row.open_at), local_of_utc(row.close_at)
        self.note.data = row.note


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of check boxes, each with its label."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GroupForm(AppForm):
    """A named list of learners."""

    name = StringField("Group name", validators=[InputRequired("Give the group a name."),
                                                 Length(max=100)])
    members = MultiCheckboxField("Learners in the group", choices=[], coerce=int)


class CsvImportForm(AppForm):
    """A CSV file from the disability-services office (or an export of this page)."""

    file = FileField("CSV file (UTF-8)", validators=[FileRequired("Choose a CSV file to import.")])
    dry_run = BooleanField("Dry run: show the report without saving", default=True)
