"""The authoring form of every question type, read from the registry.

Each type declares its form next to its rules (``QuestionType.form``, shapes in
``quizzes.types.form_spec``); ``quizzes.authoring.forms`` turns it into a Flask-WTF form and
``form_convert`` turns the posted data back into an item in the bank schema (SCHEMA.md).
"""

from __future__ import annotations

from quizzes.types import REGISTRY
from quizzes.types.form_spec import Col, Rows, Scalar, TypeForm

__all__ = ["SPECS", "Col", "Rows", "Scalar", "TypeForm"]

SPECS: dict[str, TypeForm] = {name: qt.form for name, qt in REGISTRY.items()}
