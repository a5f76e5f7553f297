"""Property tests: every number read from a URL or a form is in range or refused, never an error."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule
from wtforms import Form
from wtforms.validators import InputRequired, NumberRange

from course.forms import NumberField, WholeNumberField
from course.numbers import INT_MAX, IdConverter, whole_number

NUMBERS = st.one_of(
    st.integers(-(2 ** 80), 2 ** 80).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["9" * 400, "-" + "9" * 400, "9" * 5000, "1e400", "sNaN", "\u00b2", "\u0663",
                     "0x10", " 7 ", "", "007", str(INT_MAX), str(INT_MAX + 1)]),
    st.text(max_size=12),
)


class Sample(Form):
    """A form with the shared numeric fields as the app uses them."""

    count = WholeNumberField("Count", validators=[InputRequired(), NumberRange(0, 100)])
    mark = NumberField("Mark", places=None, validators=[InputRequired(), NumberRange(0, 100)])


@given(NUMBERS, st.integers(-5, 5), st.integers(0, INT_MAX))
def test_whole_number_is_in_range_or_none(text, low, high):
    found = whole_number(text, low, high)
    assert found is None or (low <= found <= high and found == int(text))


@settings(max_examples=300)
@given(NUMBERS)
def test_the_int_converter_matches_only_ids(text):
    urls = Map([Rule("/a/<int:aid>", endpoint="a")], converters={"int": IdConverter}).bind("x")
    try:
        _, args = urls.match(f"/a/{text}")
    except NotFound:
        assert not (text.isascii() and text.isdigit() and len(text) <= 10 and text[0] != "0"
                    and 1 <= int(text) <= INT_MAX)
        return
    assert 1 <= args["aid"] <= INT_MAX and str(args["aid"]) == text


@given(NUMBERS, NUMBERS)
def test_numeric_fields_validate_or_say_why(count, mark):
    form = Sample(MultiDict({"count": count, "mark": mark}))
    ok = form.validate()  # never an OverflowError or InvalidOperation
    assert ok == (not form.errors)
    for field in (form.count, form.mark):
        if not field.errors:
            assert 0 <= field.data <= 100
        else:
            assert len(field.errors) == 1 and field.errors[0]


def test_a_huge_number_gets_the_fields_own_range_message():
    form = Sample(MultiDict({"count": "9" * 400, "mark": "-1e400"}))
    assert not form.validate()
    assert form.count.errors == ["Give a whole number from 0 to 100."]
    assert form.mark.errors == ["Give a number from 0 to 100."]


def test_whitespace_is_an_empty_entry_with_one_message():
    """Hypothesis found '\\r' gave two messages: InputRequired passed it and NumberRange added one."""
    for blank in ("\r", " ", "\t\n"):
        form = Sample(MultiDict({"count": blank, "mark": blank}))
        assert not form.validate()
        assert form.count.errors == form.mark.errors == ["This field is required."]
