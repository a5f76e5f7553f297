"""The missing-rationale rule: every option a learner can pick wrongly needs a rationale of its own."""
import copy

import pytest

from course.content import ContentError
from modules.option_feedback import check as check_modules
from modules.option_feedback import missing as missing_feedback
from modules.schema import Course, Module, Option, PracticeItem, Section
from quizzes.option_rationales import check_items, missing
from quizzes.types import validate_item

WHY = "Says why."


def opt(ident, why=None):
    return {"id": ident, "text": f"text {ident}"} | ({"rationale": why} if why is not None else {})


CLOZE = {"id": "bad-cloze", "type": "dropdown_cloze", "topic": "diagnosis", "stem": "Fill in.",
         "text": "A [[b1]] and [[b2]].",
         "blanks": [{"id": "b1", "answer": "o1", "rationale": WHY, "options": [opt("o1"), opt("o2"), opt("o3", WHY)]},
                    {"id": "b2", "answer": "o2", "rationale": WHY, "options": [opt("o1"), opt("o2")]}]}
TABLE = {"id": "bad-table", "type": "dropdown_table", "topic": "atrophy", "stem": "Choose.",
         "options": [opt("o1"), opt("o2", WHY), opt("o3")],
         "rows": [{"id": "r1", "text": "One", "answer": "o1", "rationale": WHY},
                  {"id": "r2", "text": "Two", "answer": "o2", "rationale": WHY},
                  {"id": "r3", "text": "Three", "answer": "x1", "rationale": WHY,
                   "options": [opt("x1"), opt("x2")]}]}
DRAG = {"id": "bad-drag", "type": "dragdrop_cloze", "topic": "diagnosis", "stem": "Drag.",
        "text": "[[t1]] then [[t2]].", "tokens": [opt("k1"), opt("k2"), opt("k3"), opt("k4", WHY)],
        "targets": [{"id": "t1", "answer": "k1", "rationale": WHY}, {"id": "t2", "answer": "k3", "rationale": WHY}]}
MATCH = {"id": "bad-match", "type": "matching", "topic": "atrophy", "stem": "Match.",
         "prompts": [{"id": "p1", "text": "P1", "match": "t1", "rationale": WHY},
                     {"id": "p2", "text": "P2", "match": "t1", "rationale": WHY}],
         "targets": [opt("t1"), opt("t2"), opt("t3", WHY)]}
MCQ = {"id": "fine-mcq", "type": "mcq", "topic": "atrophy", "stem": "Pick.",
       "options": [{"id": "a", "text": "A", "correct": True, "rationale": WHY},
                   {"id": "b", "text": "B", "rationale": WHY}]}


@pytest.mark.parametrize("item", [CLOZE, TABLE, DRAG, MATCH, MCQ])
def test_samples_are_valid_items(item):
    validate_item(copy.deepcopy(item), "sample")  # the rule is stricter than the schema, never different


@pytest.mark.parametrize(("item", "expected"), [
    (CLOZE, ["blanks[b1].options[o2]", "blanks[b2].options[o1]"]),  # each key and o3 are explained
    (TABLE, ["options[o1]", "options[o3]", "rows[r3].options[x2]"]),  # shared options are wrong for some row
    (DRAG, ["tokens[k2]"]),  # k1 and k3 are explained by their targets, k4 by itself
    (MATCH, ["targets[t2]"]),
    (MCQ, []),
])
def test_missing_names_each_unexplained_option(item, expected):
    assert missing(item) == expected


def test_a_blank_or_non_text_rationale_does_not_count():
    item = copy.deepcopy(DRAG)
    item["tokens"][1]["rationale"], item["tokens"][3]["rationale"] = " ", 3
    assert missing(item) == ["tokens[k2]", "tokens[k4]"]


def test_one_row_table_shared_key_needs_no_rationale():
    table = copy.deepcopy(TABLE)
    table["rows"] = table["rows"][:1]
    assert missing(table) == ["options[o3]"]  # o1 is that one row's answer; o2 has its own


def test_rationale_dropdown_and_drag_rationale_types_follow_the_same_rule():
    ddr = copy.deepcopy(CLOZE) | {"type": "dropdown_rationale", "groups": [["b1", "b2"]]}
    dgr = copy.deepcopy(DRAG) | {"type": "dragdrop_rationale", "groups": [["t1", "t2"]]}
    assert missing(ddr) == missing(CLOZE) and missing(dgr) == missing(DRAG)


def test_check_items_raises_naming_every_item_and_option():
    with pytest.raises(ContentError) as err:
        check_items([CLOZE, MCQ, MATCH], "sample/bank")
    message = str(err.value)
    assert message.startswith("sample/bank: 3 option(s) in 2 item(s) have no rationale of their own")
    assert "  item bad-cloze: blanks[b1].options[o2], blanks[b1].options[o2]" not in message
    assert "\n  item bad-cloze: blanks[b1].options[o2], blanks[b2].options[o1]" in message
    assert "\n  item bad-match: targets[t2]" in message and "fine-mcq" not in message


def test_check_items_counts_the_options_it_checked_when_all_are_explained():
    fixed = copy.deepcopy([CLOZE, TABLE, DRAG, MATCH, MCQ])
    for item in fixed:
        for entry in (item.get("options") or []) + item.get("tokens", []) + item.get("targets", []):
            entry.setdefault("rationale", WHY)
        for slot in item.get("blanks", []) + item.get("rows", []):
            for entry in slot.get("options", []):
                entry["rationale"] = WHY
    assert [missing(i) for i in fixed] == [[]] * 5
    assert check_items(fixed, "sample") == 5 + 5 + 4 + 3 + 0


def _course(options):
    item = PracticeItem(id="mrc-x", type="mrc", prompt_html="p", explanation_html="e", options=options)
    section = Section(slug="grading", title="G", html="h", practice=(item,), checks=(), number=1)
    module = Module(slug="weakness", title="W", summary="s", objectives=(), minutes=1, reviewed=None,
                    key_terms=(), references=(), sections=(section,), intro_html="", number=2)
    return Course(modules=(module,), glossary=())


def test_module_items_name_each_wrong_option_without_feedback():
    options = (Option("0", "0", False, ""), Option("1", "1", False, "why"), Option("2", "2", True, ""),
               Option("3", "3", False, "  "))
    assert missing_feedback(PracticeItem("i", "mrc", "p", "e", options)) == ["0", "3"]
    with pytest.raises(ContentError) as err:
        check_modules(_course(options))
    assert str(err.value).startswith("modules/content: 2 wrong option(s) in 1 practice or check item(s)")
    assert "module weakness, section grading, item mrc-x: why for 0, 3" in str(err.value)


def test_module_check_counts_wrong_options_when_all_explained():
    options = (Option("0", "0", False, "a"), Option("1", "1", True, ""), Option("2", "2", False, "b"))
    assert check_modules(_course(options)) == {"module_wrong_options_explained": 2}
