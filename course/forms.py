"""The base of every Flask-WTF form in the app: fields only ever receive what a browser posts."""
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms.fields import FileField

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
                return _flat_json(request.get_json(silent=True))
            data = super().wrap_formdata(form, formdata)
            if isinstance(data, CombinedMultiDict):
                files, fields = data.dicts
                wanted = {name for name, f in form._fields.items() if isinstance(f, FileField)}
                kept = MultiDict([(k, v) for k, v in files.items(multi=True) if k in wanted])
                return CombinedMultiDict((kept, fields)) if kept else fields
            return data
