"""GIFT import work grows linearly with the file, and one import holds a bounded number of questions."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest

from quizzes.interchange import gift, gift_types
from quizzes.interchange.gift import TooManyQuestions, parse_gift
from tests.quizzes.instructor_helpers import as_instructor, post


class CountingSet(set):
    """A set that counts membership tests (the unique-id loop's steps)."""

    probes = 0

    def __contains__(self, value: object) -> bool:
        CountingSet.probes += 1
        return super().__contains__(value)


@pytest.fixture
def probes(monkeypatch: pytest.MonkeyPatch) -> type[CountingSet]:
    """Make parse_gift keep its used ids in a CountingSet."""
    original = gift._Context
    CountingSet.probes = 0
    monkeypatch.setattr(gift, "_Context", lambda *a, **k: original(*a, used=CountingSet(), **k))
    return CountingSet


def test_duplicate_titles_get_unique_ids_in_linear_steps(probes: type[CountingSet]) -> None:
    n = 2000
    result = parse_gift("::a::x{T}\n\n" * n, id_prefix="g")
    ids = [q.item["id"] for q in result.questions]
    assert ids == ["g-a"] + [f"g-a-{i}" for i in range(2, n + 1)]
    # Before: question k rescanned g-a, g-a-2 ... g-a-k (about n*n/2 = 2,000,000 probes).
    assert probes.probes <= 3 * n


def test_titles_that_look_like_suffixes_still_get_unique_ids(probes: type[CountingSet]) -> None:
    text = "::a::x{T}\n\n::a-2::y{T}\n\n::a::z{T}\n\n::a::w{T}\n\n::a-3::v{F}\n"
    ids = [q.item["id"] for q in parse_gift(text, id_prefix="g").questions]
    assert ids == ["g-a", "g-a-2", "g-a-3", "g-a-4", "g-a-3-2"]
    assert len(set(ids)) == len(ids)


def test_a_skipped_question_does_not_use_up_an_id() -> None:
    text = "::a::x{T}\n\n::a::broken{=one\n\n::a::y{T}\n"
    assert [q.item["id"] for q in parse_gift(text, id_prefix="g").questions] == ["g-a", "g-a-2"]


def test_answer_line_numbers_scan_each_answer_once(monkeypatch: pytest.MonkeyPatch) -> None:
    scanned = {"chars": 0}
    original = gift_types._newlines

    def counting(text: str) -> int:
        scanned["chars"] += len(text)
        return original(text)

    monkeypatch.setattr(gift_types, "_newlines", counting)
    answers = "".join(f"~wrong {i}#because\n" + "and more\n" * 30 for i in range(98))
    text = f"::q::Pick one {{\n=right\n{answers}~%bad%weight\n}}\n"
    report = parse_gift(text).report
    # Before: answer k counted the newlines of answers 1..k again (quadratic in the answers).
    assert scanned["chars"] <= 2 * len(text)
    assert report[0].line == text[:text.index("~%bad")].count("\n") + 1
    assert "bad weight" in report[0].reason


def test_comment_lines_above_a_question_are_dropped_in_one_step() -> None:
    text = "// note\n" * 20000 + "::a::x{T}\n"
    pops = {"n": 0}

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "c_call" and getattr(arg, "__name__", "") == "pop":
            pops["n"] += 1

    sys.setprofile(profile)
    try:
        result = parse_gift(text)
    finally:
        sys.setprofile(None)
    # Before: one list.pop(0) per comment line, each moving every later line (quadratic).
    assert pops["n"] < 10
    assert result.report[0].line == 20001 and len(result.questions) == 1


def test_a_question_with_more_answers_than_any_type_holds_is_skipped_unread(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gift_types, "_split_choices", None)  # never reached
    text = "::q::Pick {=right\n" + "~wrong\n" * gift_types.MAX_ANSWERS + "}\n"
    (line,) = parse_gift(text).report
    assert line.status == "skipped" and "no item type holds more than 100" in line.reason


def test_more_questions_than_the_cap_is_refused_before_parsing() -> None:
    with pytest.raises(TooManyQuestions, match="2,001 questions.*at most 2,000"):
        parse_gift("::a::x{T}\n\n" * 2001, max_questions=2000)
    # Category lines and comments are not questions.
    text = "$CATEGORY: top/x\n\n// note\n\n" + "::a::x{T}\n\n" * 3
    assert len(parse_gift(text, max_questions=3).questions) == 3


def _upload(client: Any, cid: int, content: bytes) -> Any:
    """Post a GIFT file to the import form as a dry run."""
    return post(client, cid, "/transfer/import",
                {"file": (io.BytesIO(content), "q.gift"), "dry_run": "y"},
                content_type="multipart/form-data")


def test_web_import_over_the_cap_is_a_413_with_the_limit(app: Any, client: Any,
                                                         platform: Any) -> None:
    cid = as_instructor(client, platform)
    resp = _upload(client, cid, b"::a::x{T}\n\n" * 2001)
    assert resp.status_code == 413
    assert "at most 2,000 questions" in resp.get_data(as_text=True)
    app.config["GIFT_MAX_QUESTIONS"] = 5
    assert _upload(client, cid, b"::a::x{T}\n\n" * 6).status_code == 413
    assert _upload(client, cid, b"::a::x{T}\n\n" * 5).status_code == 200


def test_cli_import_over_the_cap_says_so(app: Any, client: Any, platform: Any,
                                         tmp_path: Path) -> None:
    cid = as_instructor(client, platform)
    app.config["GIFT_MAX_QUESTIONS"] = 2
    path = tmp_path / "q.gift"
    path.write_text("::a::x{T}\n\n" * 3)
    result = app.test_cli_runner().invoke(
        args=["quizzes", "import", str(path), "--context", str(cid), "--dry-run"])
    assert result.exit_code != 0 and "at most 2 questions" in result.output


def test_an_import_reads_the_bank_ids_once_not_per_question(app: Any, client: Any, platform: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from quizzes.authoring import questions as authoring
    cid = as_instructor(client, platform)
    reads = {"n": 0}
    original = authoring._used_item_ids

    def counting(context_id: int) -> set[str]:
        reads["n"] += 1
        return original(context_id)

    monkeypatch.setattr(authoring, "_used_item_ids", counting)
    text = b"::a::x{T}\n\n" * 40
    for _ in range(2):
        resp = post(client, cid, "/transfer/import", {"file": (io.BytesIO(text), "q.gift")},
                    content_type="multipart/form-data")
        assert resp.status_code == 200
    # Before: every question re-read (and JSON-decoded) every version in the bank.
    assert reads["n"] == 2
    with app.app_context():
        ids = [authoring.current_version(q).data["id"] for q in authoring.course_questions(cid)]
    assert len(ids) == 80 and len(set(ids)) == 80
