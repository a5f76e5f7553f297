"""The editor's description of choice options (quizzes/types/form_spec.py), called at test time.

The registry builds its forms at import, before `make mutate` switches a mutant on, so these
calls are what check choice_rows itself.
"""
from __future__ import annotations

import pytest

from quizzes.types import REGISTRY
from quizzes.types.form_spec import CORRECT, ID, TEXT, WHY, Rows, choice_rows


@pytest.mark.parametrize(("args", "expected"), [
    (("Options (exactly one correct)", "Option", 2, 8),
     Rows("options", "Options (exactly one correct)", "Option", (ID, TEXT, CORRECT, WHY), 2, 8)),
    (("Actions to take", "Action", 3, 12, "actions"),
     Rows("actions", "Actions to take", "Action", (ID, TEXT, CORRECT, WHY), 3, 12)),
])
def test_choice_rows_are_id_text_correct_rationale(args: tuple, expected: Rows) -> None:
    rows = choice_rows(*args)
    assert rows == expected
    assert [c.name for c in rows.cols] == ["id", "text", "correct", "rationale"]
    assert [c.required for c in rows.cols] == [True, True, False, True]


def test_choice_types_use_choice_rows() -> None:
    assert REGISTRY["mcq"].form.rows == (choice_rows("Options (exactly one correct)", "Option", 2, 8),)
    assert [r.key for r in REGISTRY["bowtie"].form.rows] == ["condition", "actions", "parameters"]
