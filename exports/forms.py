"""Forms for printing handouts and for a course's clinic profile (Flask-WTF, CSRF on)."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in types-WTForms
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from course.forms import AppForm
from exports.languages import CHOICE_NAMES
from exports.render import CLINIC_LIMITS, NOTES_MAX


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PrintForm(AppForm):
    """Which handouts to print, on what paper, at what size, with an optional note."""

    slugs = CheckboxListField("Handouts", validators=[DataRequired("Choose at least one handout.")])
    paper = RadioField("Paper size", default="letter",
                       choices=[SelectChoice("letter", "US Letter"), SelectChoice("a4", "A4")])
    lang = RadioField("Language", default="en",
                      choices=[SelectChoice(value, label) for value, label in CHOICE_NAMES.items()])
    large_print = BooleanField("Large print (18 pt text)")
    notes = TextAreaField(
        "Notes from the care team (optional, printed in a box)",
        validators=[Optional(), Length(max=NOTES_MAX,
                                       message=f"Keep notes to {NOTES_MAX} characters or fewer.")])

    def set_handouts(self, choices: list[tuple[str, str]]) -> PrintForm:
        """Offer the shipped handouts as choices (the list is data, so it is set per request)."""
        self.slugs.choices = [SelectChoice(value, label) for value, label in choices]
        return self


class UploadField(FileField):
    """A file input that only ever holds this request's upload, never a stored value."""

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        """Ignore obj/data: ClinicForm(obj=profile) otherwise put the stored logo bytes here."""
        super().process(formdata, unset_value, extra_filters)


class ClinicForm(AppForm):
    """The clinic details and logo printed on this course's handouts."""

    name = StringField("Clinic name", validators=[DataRequired("Enter the clinic's name."),
                                                  Length(max=CLINIC_LIMITS["name"])])
    department = StringField("Department (optional)",
                             validators=[Optional(), Length(max=CLINIC_LIMITS["department"])])
    phone = StringField("Phone number patients should call",
                        validators=[DataRequired("Enter a phone number."),
                                    Length(max=CLINIC_LIMITS["phone"]),
                                    Regexp(r"^[0-9+()\-. ext]+$",
                                           message="Use digits, spaces and + ( ) - . only.")])
    address = TextAreaField("Address (optional)",
                            validators=[Optional(), Length(max=CLINIC_LIMITS["address"])])
    website = StringField("Website (optional, printed as text)",
                          validators=[Optional(), Length(max=CLINIC_LIMITS["website"])])
    logo = UploadField("Logo (PNG, JPEG or SVG, up to 512 KB)")
    remove_logo = BooleanField("Remove the current logo")
