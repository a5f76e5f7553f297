"""Short answer (case, spelling slips, punctuation) and essay (rubric grading), table-tested."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from quizzes.types import REGISTRY, ContentError
from quizzes.types import essay as essay_mod
from quizzes.types.short_answer import distance, normalise, words_match

SHORT = REGISTRY["short_answer"]
ESSAY = REGISTRY["essay"]
SA: dict[str, Any] = {"id": "s1", "type": "short_answer", "topic": "spasticity", "stem": "Name it.",
                      "answers": ["Modified Ashworth Scale", "MAS", "tizanidine"], "rationale": "Why."}
ES: dict[str, Any] = {"id": "e1", "type": "essay", "topic": "medication-safety", "stem": "Explain.",
                      "rationale": "Model.", "rubric": [
                          {"id": "a", "text": "Risk", "points": 2, "rationale": "Seizures."},
                          {"id": "b", "text": "Action", "points": 1, "rationale": "Call."}]}


@pytest.mark.parametrize(("a", "b", "d"), [
    ("", "", 0), ("abc", "", 3), ("", "ab", 2), ("baclofen", "baclofen", 0), ("baclofen", "baclofne", 1),
    ("baclofen", "baclofn", 1), ("baclofen", "bacloffen", 1), ("baclofen", "baclafen", 1),
    ("ca", "abc", 3), ("abcd", "badc", 2), ("kitten", "sitting", 3),
])
def test_damerau_levenshtein_distance(a: str, b: str, d: int) -> None:
    assert distance(a, b) == d == distance(b, a)


@pytest.mark.parametrize(("text", "case", "out"), [
    ("  Modified   Ashworth  Scale. ", False, "modified ashworth scale"),
    ("Lhermitte\u2019s sign", False, "lhermittes sign"),
    ("hyper-reflexia", False, "hyperreflexia"),
    ("MAS", True, "MAS"),
    ("C.S.F.", True, "C S F"),
    ("snake_case", False, "snake case"),
    ("!!!", False, ""),
])
def test_normalise(text: str, case: bool, out: str) -> None:
    assert normalise(text, case) == out


# (item changes, typed text, points, words in the rationale)
SA_CASES = [
    ({}, "modified ashworth scale", 1.0, ""),
    ({}, "Modified Ashworth Scale.", 1.0, ""),
    ({}, "mas", 1.0, ""),
    ({}, "Modifed Ashworth Scale", 1.0, "spelling slip"),  # one letter missing in a word of 5+
    ({}, "Modifed Ashwroth Scale", 1.0, "spelt Modified Ashworth Scale"),  # one slip in each of two words
    ({}, "Modifid Ashworth Scael", 1.0, "spelling slip"),
    ({}, "Modiifeed Ashworth Scale", 0.0, ""),  # two slips in one word
    ({}, "Ashworth Scale", 0.0, ""),  # a word missing
    ({}, "mass", 0.0, ""),  # short words are exact
    ({}, "tizanadine", 1.0, "spelling slip"),
    ({"typos": 0}, "tizanadine", 0.0, ""),
    ({"typos": 2}, "tizanadien", 1.0, "spelling slip"),
    ({"typo_min_length": 11}, "tizanadine", 0.0, ""),
    ({"typo_min_length": 10}, "tizanadine", 1.0, "spelling slip"),
    ({"case_sensitive": True}, "mas", 0.0, ""),
    ({"case_sensitive": True}, "MAS", 1.0, ""),
    ({}, "", 0.0, ""),
    ({}, "   ", 0.0, ""),
]


@pytest.mark.parametrize(("changes", "text", "points", "note"), SA_CASES)
def test_short_answer_scoring(changes: dict[str, Any], text: str, points: float, note: str) -> None:
    item = {**SA, **changes}
    SHORT.validate(item, "t")
    result = SHORT.score(item, {"text": text})
    (part,) = result.parts
    assert (result.points, part.correct, part.expected) == (points, points == 1.0, "Modified Ashworth Scale")
    assert part.chosen == (text.strip() or None)
    assert part.rationale.endswith("Why.")
    assert (note in part.rationale) if note else part.rationale == "Why."


def test_words_match_needs_the_same_number_of_words() -> None:
    assert words_match("a b", "a b", 1, 5) and not words_match("", "", 1, 5)
    assert not words_match("abcde", "abcde x", 1, 5)
    assert words_match("abcde", "abcdf", 1, 5) and not words_match("abcd", "abce", 1, 5)
    assert words_match("abcd", "abce", 1, 4)


@pytest.mark.parametrize(("changes", "message"), [
    ({"answers": []}, "answers: needs 1 to 20 entries, found 0"),
    ({"answers": [3]}, "answers[0]: must be text with a letter or digit, not 3"),
    ({"answers": ["?!"]}, "answers[0]: must be text with a letter or digit"),
    ({"answers": ["x" * 201]}, "answers[0]: must be at most 200 characters"),
    ({"answers": ["MAS", "mas."]}, "answers[1]: 'mas.' repeats an earlier answer once normalised"),
    ({"typos": 3}, "typos: must be a whole number from 0 to 2, not 3"),
    ({"typos": -1}, "typos: must be a whole number from 0 to 2"),
    ({"typos": True}, "typos: must be a whole number from 0 to 2"),
    ({"typo_min_length": 0}, "typo_min_length: must be a whole number from 1 to 40"),
    ({"typo_min_length": 41}, "typo_min_length: must be a whole number from 1 to 40"),
    ({"case_sensitive": "yes"}, "case_sensitive: must be true or false"),
    ({"rationale": ""}, "rationale: must not be empty"),
])
def test_short_answer_validation(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ContentError) as caught:
        SHORT.validate({**SA, **changes}, "t")
    assert str(caught.value).startswith(f"t: {message}")


def test_short_answer_accepts_case_variants_when_case_matters_and_limits() -> None:
    SHORT.validate({**SA, "answers": ["MAS", "mas"], "case_sensitive": True, "typos": 2,
                    "typo_min_length": 40}, "t")
    SHORT.validate({**SA, "answers": ["x" * 200] * 1, "typo_min_length": 1, "typos": 0}, "t")
    assert SHORT.stats.counted(SA, {"text": " Baclofen. "}) == {"answer": "baclofen"}
    assert SHORT.stats.counted({**SA, "case_sensitive": True}, {"text": "MAS"}) == {"answer": "MAS"}
    assert SHORT.stats.counted(SA, {"text": 3}) == {"answer": None}
    assert (SHORT.stats.part_label(SA, "answer"), SHORT.stats.part_label(SA, "x")) == ("Answer", None)
    assert SHORT.public_view(SA, "s") == {"id": "s1", "type": "short_answer", "stem": "Name it.", "max_chars": 200}


def test_essay_waits_then_is_graded_on_its_rubric() -> None:
    ESSAY.validate(ES, "t")
    pending = ESSAY.score(ES, {"text": " My answer "})
    assert (pending.points, pending.max_points) == (0.0, 3.0)
    assert [(p.part_id, p.label, p.points, p.max_points, p.correct, p.chosen, p.expected, p.rationale)
            for p in pending.parts] == [("pending", "Waiting for your instructor", 0.0, 3.0, False, "My answer",
                                         None, "")]
    assert ESSAY.score(ES, {}).parts[0].chosen is None
    graded = essay_mod.graded(ES, {"text": "x"}, {"a": 2, "b": 0}, "  Good start. ")
    assert (graded.points, graded.max_points) == (2.0, 3.0)
    assert [(p.part_id, p.label, p.points, p.max_points, p.correct, p.chosen, p.expected, p.rationale)
            for p in graded.parts] == [
        ("a", "Risk", 2.0, 2.0, True, 2, 2, "Seizures."), ("b", "Action", 0.0, 1.0, False, 0, 1, "Call."),
        ("comment", "Instructor's comment", 0.0, 0.0, True, None, None, "Good start.")]
    missing = essay_mod.graded(ES, {}, {"b": 1}, "")
    assert [(p.points, p.correct, p.chosen) for p in missing.parts] == [(0.0, False, 0), (1.0, True, 1)]
    assert [p.part_id for p in essay_mod.graded(ES, {}, {"a": 1, "b": 1}, " ").parts] == ["a", "b"]


@pytest.mark.parametrize(("posted", "awarded", "errors"), [
    ({"a": "2", "b": "1"}, {"a": 2, "b": 1}, {}),
    ({"a": " 0 ", "b": 0}, {"a": 0, "b": 0}, {}),
    ({"a": "3", "b": "1"}, {"b": 1}, {"a": "Give a whole number from 0 to 2."}),
    ({"a": "-1", "b": "1.5"}, {}, {"a": "Give a whole number from 0 to 2.", "b": "Give a whole number from 0 to 1."}),
    ({"a": True, "b": None}, {}, {"a": "Give a whole number from 0 to 2.", "b": "Give a whole number from 0 to 1."}),
    ({}, {}, {"a": "Give a whole number from 0 to 2.", "b": "Give a whole number from 0 to 1."}),
    ({"a": Decimal("2"), "b": [1]}, {}, {"a": "Give a whole number from 0 to 2.",
                                         "b": "Give a whole number from 0 to 1."}),
    ({"a": 2, "b": "1"}, {"a": 2, "b": 1}, {}),
])
def test_rubric_points_must_be_whole_and_in_range(posted: dict[str, Any], awarded: dict[str, int],
                                                  errors: dict[str, str]) -> None:
    assert essay_mod.check_awarded(ES, posted) == (awarded, errors)


@pytest.mark.parametrize(("changes", "message"), [
    ({"rubric": []}, "rubric: needs 1 to 10 entries, found 0"),
    ({"rubric": [{"id": "a", "text": "T", "points": 0, "rationale": "R"}]}, "rubric[0].points: must be a whole"),
    ({"rubric": [{"id": "a", "text": "T", "points": 11, "rationale": "R"}]}, "rubric[0].points: must be a whole"),
    ({"rubric": [{"id": "a", "text": "T", "points": 1.5, "rationale": "R"}]}, "rubric[0].points: must be a whole"),
    ({"rubric": [{"id": "a", "text": "T", "points": 1}]}, "rubric[0]: missing rationale"),
    ({"max_words": 0}, "max_words: must be a whole number from 1 to 2000, not 0"),
    ({"max_words": 2001}, "max_words: must be a whole number from 1 to 2000"),
    ({"max_words": True}, "max_words: must be a whole number from 1 to 2000"),
])
def test_essay_validation(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ContentError) as caught:
        ESSAY.validate({**ES, **changes}, "t")
    assert str(caught.value).startswith(f"t: {message}")


def test_essay_limits_view_and_parse() -> None:
    ESSAY.validate({**ES, "max_words": 1, "rubric": [{"id": "a", "text": "T", "points": 10, "rationale": "R"}]}, "t")
    ESSAY.validate({**ES, "max_words": 2000}, "t")
    assert ESSAY.public_view({**ES, "max_words": 5}, "s") == {
        "id": "e1", "type": "essay", "stem": "Explain.", "max_words": 5,
        "criteria": [{"text": "Risk", "points": 2}, {"text": "Action", "points": 1}]}
    assert ESSAY.parse(ES, {"q-text": ["line one\r\nline two"]}, "q-") == ({"text": "line one\nline two"}, ())
    assert ESSAY.parse(ES, {}, "q-") == ({"text": ""}, ())
    assert ESSAY.parse(ES, {"q-text": ["x" * 10_000]}, "q-") == ({"text": "x" * 10_000}, ())
    long = "x" * 10_001
    assert ESSAY.parse(ES, {"q-text": [long]}, "q-") == ({"text": "x" * 10_000},
                                                         ("Keep the answer under 10,000 characters.",))
    assert ESSAY.parse({**ES, "max_words": 2}, {"q-text": ["a b"]}, "q-").problems == ()
    assert ESSAY.stats.counted(ES, {"text": "x"}) == {}
    assert essay_mod.word_count(" a  b\nc ") == 3
