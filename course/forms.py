"""The base of every Flask-WTF form in the app: fields only ever receive what a browser posts."""
from decimal import Decimal
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms.fields import DecimalField, FileField, IntegerField
from wtforms.validators import NumberRange, StopValidation

from course.numbers import INT_MAX

SUBMIT_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _flat_json(body: Any) -> MultiDict:
    """A JSON object as form data: strings and numbers kept as text, `true` as a ticked box."""
    pairs: list[tuple[str, str]] = []
    for key, value in (body.items() if isinstance(body, dict) else ()):
        for item in value if isinstance(value, list) else [value]:
            if item is True:
                pairs.append((str(key), "y"))
            elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
                pairs.append((str(key), str(item)))
    return MultiDict(pairs)


def _plain_indices(name: str) -> bool:
    """False for a name such as `options-²-text`: WTForms' FieldList reads any part that
    str.isdigit() accepts as a row index, and int() then fails on "²" or 5,000 digits."""
    return all(part.isascii() and len(part) <= 6 for part in name.split("-") if part.isdigit())


def _row_safe(data: Any) -> Any:
    """The posted fields without names whose row index no form could have rendered."""
    if data is None or all(_plain_indices(k) for k in data.keys()):
        return data
    return MultiDict([(k, v) for k, v in data.items(multi=True) if _plain_indices(k)])


class AppForm(FlaskForm):
    """FlaskForm, except that uploads reach file fields only and JSON bodies are flattened."""

    class Meta(FlaskForm.Meta):
        """Flask-WTF's settings with a stricter view of the posted data."""

        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            """Flask-WTF hands request.files to every field and a JSON body through as it is,
            so a file or an object posted under a text field's name reached the views as a
            FileStorage or a dict, and they failed with a 500 instead of a validation message."""
            auto = not (formdata is None or hasattr(formdata, "getlist"))
            if auto and request.method in SUBMIT_METHODS and request.is_json \
                    and not request.form and not request.files:
                return _row_safe(_flat_json(request.get_json(silent=True)))
            data = super().wrap_formdata(form, formdata)
            if isinstance(data, CombinedMultiDict):
                files, fields = data.dicts
                wanted = {name for name, f in form._fields.items() if isinstance(f, FileField)}
                kept = MultiDict([(k, v) for k, v in files.items(multi=True) if k in wanted])
                return CombinedMultiDict((kept, _row_safe(fields))) if kept else _row_safe(fields)
            return _row_safe(data)


def _range_message(field: Any) -> str:
    """"Give a whole number from A to B." with the field's own NumberRange bounds, if any."""
    found = next((v for v in field.validators if isinstance(v, NumberRange)), None)
    low = -INT_MAX if found is None or found.min is None else found.min
    high = INT_MAX if found is None or found.max is None else found.max
    kind = "a whole number" if isinstance(field, IntegerField) else "a number"
    return f"Give {kind} from {low} to {high}."


class _Bounded:
    """One clear message for a number that cannot be read or stored, given before any
    validator compares it: WTForms' NumberRange calls math.isnan, which raises OverflowError
    for a 400-digit integer, and repeats a second message under an unreadable value."""

    refused = False
    data: Any  # set by the WTForms field this mixes into
    raw_data: list[Any] | None

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse as the base field does; refuse a value too large to store or compare."""
        self.refused = False
        if valuelist and isinstance(valuelist[0], str) and not valuelist[0].strip():
            # Whitespace is an empty entry: InputRequired would pass " " and NumberRange then
            # add a second message under the first.
            valuelist = [""]
            self.raw_data = valuelist
        try:
            super().process_formdata(valuelist)  # type: ignore[misc]
            value = self.data
            if value is not None and (not Decimal(value).is_finite() or abs(value) > INT_MAX):
                raise ValueError("beyond an INTEGER column")
        except ValueError:
            self.data = None
            # An empty entry is left to Optional/InputRequired, which clear this message.
            self.refused = bool(valuelist and str(valuelist[0]).strip())
            raise ValueError(_range_message(self)) from None

    def pre_validate(self, form: Any) -> None:
        """Stop at the one message above; the field's range check would add a second."""
        if self.refused:
            raise StopValidation()


class WholeNumberField(_Bounded, IntegerField):
    """IntegerField for every whole number in the app's forms (see _Bounded)."""


class NumberField(_Bounded, DecimalField):
    """DecimalField for every decimal in the app's forms: finite and bounded (see _Bounded)."""
