"""The bank loader: a valid bank loads, an empty one is fine, and each broken case names its place."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import quizzes.bank_loader as bank_loader
from course.content import ContentError
from quizzes.bank_loader import get_bank, load_bank, summary
from quizzes.types import REGISTRY
from tests.quizzes.fixtures import SCHEMA, VALID_BANK, schema_blocks


@pytest.fixture()
def bank(tmp_path: Path) -> Path:
    """A writable copy of the valid fixture bank."""
    root = tmp_path / "bank"
    shutil.copytree(VALID_BANK, root)
    return root


def edit(root: Path, name: str, change: Callable[[Any], Any]) -> None:
    """Load a YAML file of the bank, change it in place, and write it back."""
    path = root / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_valid_bank_loads_with_counts(bank: Path) -> None:
    loaded = load_bank(bank)
    # 3 standalone items (weakness: mcq + true_false, diagnosis: sata) and 6 true_false case items.
    assert summary(loaded) == {
        "questions": 9,
        "questions_by_type": {"mcq": 1, "sata": 1, "true_false": 7},
        "case_studies": 1,
        "quizzes": 2,
    }
    case = loaded.case_studies["fb-case"]
    assert case.item_ids == tuple(f"fb-case-{n}" for n in range(1, 7))
    assert case.stage("s1").tabs["vital_signs"]["rows"] == [["08:00", 38.2]]
    assert loaded.items["fb-case-1"]["topic"] == "spasticity"  # inherited from the case
    assert loaded.items["fb-case-6"]["topic"] == "falls-safety"  # its own topic wins
    final = loaded.quiz("quiz-final-cases")
    assert final is not None and final.module is None and final.settings.time_limit_minutes == 30
    assert final.settings.review == "rationales"  # a default
    assert loaded.quiz_item_ids(final) == case.item_ids
    assert loaded.case_study_of("fb-case-2") == "fb-case" and loaded.case_study_of("fb-weak-mcq") is None


def test_empty_bank_with_only_the_schema_loads(tmp_path: Path) -> None:
    root = tmp_path / "bank"
    root.mkdir()
    shutil.copy(SCHEMA, root / "SCHEMA.md")
    assert summary(load_bank(root)) == {"questions": 0, "questions_by_type": {}, "case_studies": 0, "quizzes": 0}


def _case_items(change: Callable[[list[Any]], Any]) -> Callable[[Any], Any]:
    """An edit of the fixture case study's item list."""
    return lambda case: change(case["items"])


BROKEN: list[tuple[str, str, Callable[[Any], Any], list[str]]] = [
    ("unknown type", "weakness.yaml", lambda d: d[0].update(type="multiple_choice"),
     ["bank/weakness.yaml", "fb-weak-mcq", "'multiple_choice' is not a known type"]),
    ("missing rationale", "weakness.yaml", lambda d: d[0]["options"][1].pop("rationale"),
     ["bank/weakness.yaml", "fb-weak-mcq", "options[1]", "rationale"]),
    ("blank rationale", "weakness.yaml", lambda d: d[1].update(rationale="  "),
     ["fb-weak-tf", "rationale", "must not be empty"]),
    ("duplicate id", "diagnosis.yaml", lambda d: d[0].update(id="fb-weak-mcq"),
     ["bank/diagnosis.yaml", "fb-weak-mcq", "duplicate id", "bank/weakness.yaml"]),
    ("duplicate of a case item", "diagnosis.yaml", lambda d: d[0].update(id="fb-case-3"),
     ["bank/case_studies/fb-case.yaml", "fb-case-3", "duplicate id"]),
    ("quiz names an unknown item", "quizzes.yaml", lambda d: d[0]["items"].append("fb-nope"),
     ["bank/quizzes.yaml", "quiz-weakness", "'fb-nope' is not a known item id"]),
    ("quiz names a case item directly", "quizzes.yaml", lambda d: d[0]["items"].append("fb-case-2"),
     ["quiz-weakness", "'fb-case-2' belongs to case study 'fb-case'"]),
    ("quiz names an unknown case", "quizzes.yaml", lambda d: d[1]["case_studies"].append("fb-other"),
     ["quiz-final-cases", "'fb-other' is not a known case study"]),
    ("bad quiz setting", "quizzes.yaml", lambda d: d[0]["settings"].update(grading="best"),
     ["quiz-weakness", "settings.grading", "'best'"]),
    ("case with five items", "case_studies/fb-case.yaml", _case_items(lambda items: items.pop()),
     ["bank/case_studies/fb-case.yaml", "fb-case", "exactly 6 items, found 5"]),
    ("CJMM steps out of order", "case_studies/fb-case.yaml",
     _case_items(lambda items: items.insert(1, items.pop(2))),
     ["bank/case_studies/fb-case.yaml", "fb-case-3", "must be 'analyze_cues'"]),
    ("case item without cjmm", "case_studies/fb-case.yaml", _case_items(lambda items: items[0].pop("cjmm")),
     ["fb-case-1", "cjmm"]),
    ("case item on an unknown stage", "case_studies/fb-case.yaml",
     _case_items(lambda items: items[2].update(stage="s9")),
     ["fb-case-3", "'s9' is not a stage"]),
    ("stages going backwards", "case_studies/fb-case.yaml", _case_items(lambda items: items[1].update(stage="s2")),
     ["fb-case-3", "earlier stage"]),
    ("stage on a standalone item", "weakness.yaml", lambda d: d[1].update(stage="s1"),
     ["fb-weak-tf", "only case-study items have a stage"]),
    ("unknown topic", "diagnosis.yaml", lambda d: d[0].update(topic="muscles"),
     ["fb-diag-sata", "topic", "'muscles'"]),
    ("misspelt key", "diagnosis.yaml", lambda d: d[0]["options"][0].update(rationle="x"),
     ["fb-diag-sata", "options[0]", "rationle"]),
]


@pytest.mark.parametrize(("_name", "filename", "change", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_bank_is_rejected_with_a_clear_message(
    bank: Path, _name: str, filename: str, change: Callable[[Any], Any], expected: list[str]
) -> None:
    edit(bank, filename, change)
    with pytest.raises(ContentError) as caught:
        load_bank(bank)
    for fragment in expected:
        assert fragment in str(caught.value)


RAW_BROKEN = [
    ("duplicate key", "- id: fb-x\n  id: fb-y\n", ["bank/extra.yaml", "line 2", "duplicate key 'id'"]),
    ("bad syntax", "- id: [unclosed\n", ["bank/extra.yaml", "invalid YAML"]),
    ("comma in flow mapping",
     "- id: fb-x\n  type: mcq\n  topic: weakness\n  stem: S\n  options:\n"
     "    - {id: a, text: A, correct: true, rationale: Right, because so.}\n"
     "    - {id: b, text: B, rationale: Wrong.}\n",
     ["fb-x", "options[0]", "put that text in double quotes"]),
    ("not a list", "id: fb-x\n", ["bank/extra.yaml", "must be a YAML list"]),
]


@pytest.mark.parametrize(("_name", "text", "expected"), RAW_BROKEN, ids=[b[0] for b in RAW_BROKEN])
def test_yaml_mistakes_are_reported_with_file_and_place(bank: Path, _name: str, text: str, expected: list[str]) -> None:
    (bank / "extra.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_bank(bank)
    for fragment in expected:
        assert fragment in str(caught.value)


def test_yml_files_are_refused_rather_than_ignored(bank: Path) -> None:
    (bank / "falls.yml").write_text("[]\n", encoding="utf-8")
    with pytest.raises(ContentError, match="falls.yml: rename to .yaml"):
        load_bank(bank)


def test_schema_examples_make_a_valid_bank(tmp_path: Path) -> None:
    root = tmp_path / "bank"
    (root / "case_studies").mkdir(parents=True)
    blocks = schema_blocks()
    items = [i for b in blocks if isinstance(b, list) for i in b if "type" in i]
    quizzes = [q for b in blocks if isinstance(b, list) for q in b if "slug" in q]
    (cases,) = [b for b in blocks if isinstance(b, dict)]
    (root / "examples.yaml").write_text(yaml.safe_dump(items), encoding="utf-8")
    (root / "case_studies" / "example.yaml").write_text(yaml.safe_dump(cases), encoding="utf-8")
    (root / "quizzes.yaml").write_text(yaml.safe_dump(quizzes), encoding="utf-8")
    counts = summary(load_bank(root))
    assert set(counts["questions_by_type"]) == set(REGISTRY)
    assert counts["case_studies"] == 1 and counts["quizzes"] == 2
    assert counts["questions"] == len(items) + 6


def test_get_bank_is_cached_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bank_loader, "BANK_DIR", VALID_BANK)
    get_bank.cache_clear()
    try:
        first = get_bank()
        assert get_bank() is first
        assert summary()["questions"] == len(first.items) == 9
    finally:
        get_bank.cache_clear()


def test_shipped_bank_is_valid() -> None:
    loaded = load_bank()
    assert summary(loaded)["questions"] == len(loaded.items)
