"""Clinical consistency rules (issue 16 §1): each fires on the old, wrong text and not on the fix."""
import datetime as dt
import json

import pytest
import yaml

from course.content import ContentError
from course.item_rules import (
    cue_key_problems,
    liver_test_problems,
    mas_problems,
    mrc_problems,
    relapse_cue_problems,
    steroid_key_problems,
    visit_grade_problems,
)
from modules.item_lint import modules_lint, practice_problems
from modules.scales import SCALES
from modules.schema import Course, Module, Option, PracticeItem, Section
from quizzes.bank_loader import load_bank
from quizzes.item_lint import bank_lint, item_problems

OLD_SLIDE = ("Lying on her side so the leg is supported on the bed, a woman can slide her knee from "
             "straight to bent. When she sits and tries to straighten the knee against gravity, it "
             "does not move. Grade her knee extension.")
NEW_SLIDE = ("Lying on her side with the leg on a smooth board, she moves the knee from bent to "
             "straight. Sitting, she cannot straighten it against gravity. Grade her knee extension.")
OLD_MIXED = ("While the client lies on her side, the nurse asks her to bend and straighten the upper "
             "knee along the bed, but lying on her back she cannot lift the heel off the bed. Which "
             "MRC grade should the nurse record for knee movement?")


@pytest.mark.parametrize(("stem", "asks", "needle"), [
    (OLD_SLIDE, True, "straight to bent, which is flexion"),
    ("Starting straight, she moves the knee from bent to straight. Grade her knee flexion.", True,
     "bent to straight, which is extension"),
    (OLD_MIXED, False, "must name one movement"),
    ("She can bend and straighten the knee on a board. Which MRC grade fits her knee extension?",
     False, "both ways"),
    ("She cannot lift the heel off the bed. Which MRC grade fits her knee extension?", False,
     "which is hip flexion"),
    ("Grade her hip flexion and knee extension.", True, "found: hip flexion, knee extension"),
])
def test_mrc_rule_fires_on_a_mismatched_or_missing_movement(stem, asks, needle):
    problems = mrc_problems(stem, asks=asks)
    assert len(problems) == 1 and needle in problems[0]


@pytest.mark.parametrize(("stem", "asks"), [
    (NEW_SLIDE, True),
    ("He lifts his leg straight off the bed but it gives way to light pressure. Grade right hip "
     "flexion.", True),
    ("Side-lying, she bends the knee from straight to bent; prone she cannot. Which MRC grade "
     "should the nurse record for knee flexion?", False),
    ("What does MRC grade 3 mean?", False),  # not a grading stem, so no movement is needed
    ("She cannot lift the heel off the bed.", False),
])
def test_mrc_rule_is_silent_on_one_consistent_movement(stem, asks):
    assert mrc_problems(stem, asks=asks) == []


@pytest.mark.parametrize(("stem", "key", "needle"), [
    ("You feel a catch about a third of the way in, followed by slight resistance through the rest "
     "of the movement, which covers less than half the range.", "1+", "'a third of the way'"),
    ("There is a catch early in the movement, then minimal resistance.", "1+", "'early'"),
    ("A catch, then minimal resistance through a little less than half of the remaining range.", "1+",
     "half of the remaining range"),
    ("A catch, then minimal resistance through most of the range.", "1+", "which is grade 2"),
    # No key: a sentence that names 1+ and describes the finding is held to the same standard.
    ("The nurse records MAS 1+: a catch halfway through extension, then slight resistance.", None,
     "'halfway'"),
])
def test_mas_rule_fires_on_a_1plus_description_over_half_the_range(stem, key, needle):
    problems = mas_problems(stem, key)
    assert len(problems) == 1 and needle in problems[0]


@pytest.mark.parametrize(("stem", "key"), [
    ("The first part is free. About two-thirds of the way in you feel a catch, followed by slight "
     "resistance through the last third of the range.", "1+"),
    ("There is a catch just past the midpoint, followed by minimal resistance through the rest of "
     "the range.", "1+"),
    # Other grades and other sentences are not judged by the 1+ rule.
    ("The ankle resists through most of its range but moves easily.", "2"),
    ("A catch early in the movement that then releases.", "1"),
    ("Her usual grade is 1+. Today tone is felt through most of the range.", None),
])
def test_mas_rule_is_silent_on_correct_or_other_descriptions(stem, key):
    assert mas_problems(stem, key) == []


def test_visit_rule_fires_when_listed_grades_contradict_the_claim():
    old = ("The right elbow flexors were graded 1+ at the last three visits by different nurses: "
           "1+, 2 and 1. How should this be recorded?")
    assert visit_grade_problems(old) == ["claims grade 1+ at the last three visits but lists 1+, 2, 1"]
    short = "Graded 2 at the last three visits: 2 and 2. Record them."
    assert visit_grade_problems(short) == ["claims grade 2 at the last three visits but lists 2, 2"]


@pytest.mark.parametrize("stem", [
    "Graded 1+ at the last three visits: 1+, 1+ and 1+. Is this stable? Compare 3 sites.",
    "Different nurses graded the elbow flexors at the last three visits: 1+, then 2, then 1.",
    "Graded 2 at the last two visits by the same nurse.",
])
def test_visit_rule_is_silent_when_the_list_agrees_or_no_claim_is_made(stem):
    assert visit_grade_problems(stem) == []


def test_steroid_rule_needs_long_term_exposure():
    old = ("He has had three courses of high-dose corticosteroids for relapses in the past year and "
           "now struggles to rise from a low chair.")
    assert "without long-term steroid exposure" in steroid_key_problems(old)[0]
    for good in ("He has taken oral prednisolone every day for eight months.",
                 "After long-term steroid treatment for asthma, he struggles with stairs.",
                 "He has taken prednisolone for the past two years."):
        assert steroid_key_problems(good) == []


def test_relapse_cue_rule_fires_only_without_a_separating_sign():
    rows = [
        ("Her old stiffness is worse, with no new symptoms", "Points to infection as the trigger"),
        ("Old leg weakness worse for 2 days", "Probable relapse"),
        ("Old leg weakness worse for 2 days; temperature 38.5 °C", "Worsening from infection"),
        ("Her old stiffness is worse, with no new symptoms", "Does not tell infection and relapse apart"),
        ("New arm weakness for 4 days; no fever", "Probable relapse"),
    ]
    problems = relapse_cue_problems(rows)
    assert len(problems) == 2
    assert problems[0].startswith("'Her old stiffness is worse") and "Old leg weakness" in problems[1]


LIVER = {"id": "lft", "text": "Needs liver tests while taking it"}
BOXED = {"id": "boxed", "text": "Boxed warning for liver toxicity"}


def test_liver_rule_wants_every_liver_test_drug_in_the_liver_column():
    old_col = {"id": "lft", "text": "Liver enzymes at baseline and one month after the maximum dose"}
    rows = [{"text": "Tizanidine", "answer": ["lft"]}, {"text": "Dantrolene", "answer": ["boxed"]},
            {"text": "Baclofen", "answer": []}]
    assert liver_test_problems([old_col, BOXED], rows) == [
        "dantrolene needs liver tests but is not marked in the column "
        "'Liver enzymes at baseline and one month after the maximum dose'"]
    rows[1]["answer"] = ["lft", "boxed"]
    assert liver_test_problems([LIVER, BOXED], rows) == []
    assert liver_test_problems([BOXED], [{"text": "Tizanidine", "answer": []}]) == []


def test_cue_rule_fires_when_a_keyed_option_is_a_cue_of_another_kind():
    narrow = "Highlight the findings that are relevant cues to the sudden rise in her spasticity."
    whys = ["Urinary symptoms point to infection.", "The near-fall is a safety cue; she may fall."]
    assert "'safety cue'" in cue_key_problems(narrow, whys)[0]
    wide = "Highlight the findings that need the nurse's follow-up, for the spasticity or her safety."
    assert cue_key_problems(wide, whys) == []
    assert cue_key_problems(narrow, whys[:1]) == []


MIXED_ITEM = {
    "id": "old-mrc", "type": "mcq", "topic": "weakness", "stem": OLD_MIXED,
    "options": [{"id": "a", "text": "Grade 2", "correct": True, "rationale": "Gravity eliminated."},
                {"id": "b", "text": "Grade 3", "rationale": "Needs movement against gravity."}],
}
MAS_ITEM = {
    "id": "old-mas", "type": "mcq", "topic": "spasticity",
    "stem": "A catch early in the movement, then minimal resistance. Which Modified Ashworth grade fits?",
    "options": [{"id": "a", "text": "1", "rationale": "Catch and release only."},
                {"id": "b", "text": "1+", "correct": True, "rationale": "Catch, then resistance."}],
}


def test_bank_items_are_dispatched_to_the_rules_by_type_and_key():
    assert item_problems(MIXED_ITEM) == [
        "item 'old-mrc': an MRC grade is asked, but the stem must name one movement to grade (found: none)"]
    assert len(item_problems(MAS_ITEM)) == 1
    keyed_1 = {**MAS_ITEM, "options": [{**MAS_ITEM["options"][0], "correct": True},
                                       {**MAS_ITEM["options"][1], "correct": False}]}
    assert item_problems(keyed_1) == []  # an early catch that releases is a fair grade 1 stem


def test_bank_lint_names_every_bad_item_in_a_bank_folder(tmp_path):
    (tmp_path / "weakness.yaml").write_text(yaml.safe_dump([MIXED_ITEM, MAS_ITEM]), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        bank_lint(load_bank(tmp_path))
    assert "'old-mrc'" in str(err.value) and "'old-mas'" in str(err.value)


def test_the_shipped_content_passes_and_the_cli_reports_the_lint(app):
    result = app.test_cli_runner().invoke(args=["content", "check", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["questions_linted"] == data["questions"]
    assert data["module_items_linted"] == data["practice_items"] + data["check_items"]


def _practice(kind, prompt, answer):
    options = tuple(Option(v, v, v == answer) for v in SCALES[kind].values)
    return PracticeItem(id=f"{kind}-x", type=kind, prompt_html=f"<p>{prompt}</p>", explanation_html="",
                        options=options)


def _course(*items):
    section = Section(slug="grading", title="G", html="h", practice=items, checks=(), number=1)
    module = Module(slug="weakness", title="W", summary="s", objectives=(), minutes=1,
                    reviewed=dt.date(2025, 1, 1), key_terms=(), references=(), sections=(section,),
                    intro_html="", number=2)
    return Course(modules=(module,), glossary=())


def test_module_items_are_dispatched_by_type_and_answer():
    assert "which is flexion" in practice_problems(_practice("mrc", OLD_SLIDE, "2"))[0]
    assert practice_problems(_practice("mrc", NEW_SLIDE, "2")) == []
    early = "You feel a catch a third of the way in, then slight resistance through the rest."
    assert len(practice_problems(_practice("ashworth", early, "1+"))) == 1
    assert practice_problems(_practice("ashworth", early, "1")) == []
    courses = "Three high-dose steroid courses for relapses this year; now weak at the hips."
    assert len(practice_problems(_practice("atrophy", courses, "steroid"))) == 1
    assert practice_problems(_practice("atrophy", courses, "disuse")) == []


def test_modules_lint_names_each_bad_item_and_passes_good_ones():
    bad, good = _practice("mrc", OLD_SLIDE, "2"), _practice("ashworth", "Free, then a catch at the end.", "1")
    with pytest.raises(ContentError) as err:
        modules_lint(_course(bad, good))
    assert "weakness/grading item 'mrc-x'" in str(err.value) and "ashworth-x" not in str(err.value)
    assert modules_lint(_course(good)) == {"module_items_linted": 1}
