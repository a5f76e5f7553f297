"""Attempt service: start/resume, autosave, submit once (also under races), time limits, grading."""
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from course.db import db, utcnow
from course.models import Context, Registration, User
from quizzes import grading
from quizzes.bank_loader import get_bank
from quizzes.models import SUBMITTED, Attempt, Quiz, ScoreOutbox
from quizzes.scores import grade
from quizzes.sync import ensure_course_quizzes
from quizzes.taking import attempt_layout, attempts
from quizzes.types import REGISTRY
from quizzes.types.ordering import public_id

# --- helpers shared with the other quiz test modules ---------------------------------------------


def make_course(context_id: str = "course-1", user_sub: str = "learner-1") -> tuple[int, int]:
    """A registration, course context and learner; returns (context pk, user pk). App context."""
    reg = db.session.scalars(select(Registration)).first()
    if reg is None:
        reg = Registration(issuer="https://lms.test", client_id="c1", auth_login_url="x",
                           auth_token_url="y")
        db.session.add(reg)
        db.session.flush()
    ctx = Context(registration_id=reg.id, context_id=context_id, title="Course",
                  lineitems_url="https://lms.test/lineitems")
    user = User(registration_id=reg.id, sub=user_sub, name="Learner")
    db.session.add_all([ctx, user])
    db.session.commit()
    return ctx.id, user.id


def add_user(sub: str) -> int:
    """Another learner on the same registration."""
    reg = db.session.scalars(select(Registration)).first()
    user = User(registration_id=reg.id, sub=sub, name=sub)
    db.session.add(user)
    db.session.commit()
    return user.id


def course_quiz(context_pk: int, slug: str | None = None, **settings: Any) -> Quiz:
    """A materialised quiz of the course (the first shipped one by default), with settings."""
    quizzes = ensure_course_quizzes(context_pk)
    quiz = next(q for q in quizzes if slug is None or q.slug == slug)
    for key, value in settings.items():
        setattr(quiz, key, value)
    db.session.commit()
    return quiz


def right_form(item: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Form fields that answer an item fully right, from its key and the documented field names."""
    kind, p = item["type"], prefix
    if kind == "mcq":
        return {p + "opt": next(o["id"] for o in item["options"] if o.get("correct"))}
    if kind == "true_false":
        return {p + "value": "true" if item["answer"] else "false"}
    if kind in ("sata", "select_n"):
        return {p + "opt": [o["id"] for o in item["options"] if o.get("correct")]}
    if kind == "highlight":
        return {p + "opt": [s["id"] for s in item["passage"] if isinstance(s, dict) and s.get("correct")]}
    if kind == "matching":
        return {f"{p}pair-{x['id']}": x["match"] for x in item["prompts"]}
    if kind == "ordering":
        return {f"{p}pos-{n}": public_id(item, o["id"]) for n, o in enumerate(item["options"], 1)}
    if kind in ("matrix_mc", "matrix_mr", "dropdown_table"):
        return {f"{p}row-{r['id']}": r["answer"] for r in item["rows"]}
    if kind in ("dropdown_cloze", "dropdown_rationale"):
        return {f"{p}blank-{b['id']}": b["answer"] for b in item["blanks"]}
    if kind in ("dragdrop_cloze", "dragdrop_rationale"):
        return {f"{p}target-{t['id']}": t["answer"] for t in item["targets"]}
    if kind == "bowtie":
        acts = [o["id"] for o in item["actions"] if o.get("correct")]
        pars = [o["id"] for o in item["parameters"] if o.get("correct")]
        cond = next(o["id"] for o in item["condition"] if o.get("correct"))
        return {p + "zone-action-1": acts[0], p + "zone-action-2": acts[1],
                p + "zone-condition": cond, p + "zone-parameter-1": pars[0],
                p + "zone-parameter-2": pars[1]}
    raise AssertionError(f"no right answer helper for {kind}")


class Form(dict):
    """A dict that answers getlist() like werkzeug's MultiDict."""

    def getlist(self, key: str) -> list[Any]:
        """All values of a field."""
        value = self.get(key, [])
        return list(value) if isinstance(value, (list, tuple)) else [value]


def answer_all(attempt: Attempt, right: bool = True) -> None:
    """Save a fully right answer (or nothing when right=False) at every position."""
    form: dict[str, Any] = {}
    versions = attempt_layout.versions_for(attempt)
    if right:
        for pos, version in versions.items():
            form.update(right_form(version.data, attempt_layout.prefix(pos)))
    outcome = attempts.save_answers(attempt, Form(form), list(versions))
    assert not outcome.problems, outcome.problems


def count(model: Any, *where: Any) -> int:
    """Rows of a model matching conditions."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


# --- tests -----------------------------------------------------------------------------------------


@pytest.fixture
def course(app):
    """An app context with a course, a learner and the shipped quizzes materialised."""
    with app.app_context():
        ctx, user = make_course()
        yield ctx, user


def test_start_builds_layout_from_shipped_quiz_and_resumes(course):
    ctx, user = course
    quiz = course_quiz(ctx, "quiz-final-cases")
    spec = get_bank().quiz("quiz-final-cases")
    first = attempts.start_attempt(quiz, user)
    assert [e["position"] for e in first.layout] == list(range(1, len(get_bank().quiz_item_ids(spec)) + 1))
    data_ids = [attempt_layout.versions_for(first)[e["position"]].data["id"] for e in first.layout]
    assert data_ids == list(get_bank().quiz_item_ids(spec))
    assert all(e["case_study_id"] for e in first.layout)  # the final quiz is all case studies
    again = attempts.start_attempt(quiz, user)
    assert again.id == first.id and count(Attempt, Attempt.user_id == user) == 1


def test_autosave_resume_and_full_marks(course):
    ctx, user = course
    quiz = course_quiz(ctx)
    quiz_id, attempt = quiz.id, attempts.start_attempt(quiz, user)
    answer_all(attempt)
    attempt_id = attempt.id
    db.session.expunge_all()  # the "tab" is gone: only the database remembers
    resumed = attempts.start_attempt(db.session.get(Quiz, quiz_id), user)
    assert resumed.id == attempt_id
    assert len(attempt_layout.saved_responses(resumed)) == len(resumed.layout)
    done, did = attempts.submit_attempt(resumed.id)
    assert did and done.state == SUBMITTED and done.score == pytest.approx(1.0)
    assert done.points == done.max_points > 0


def test_partial_answers_score_with_the_registry(course):
    ctx, user = course
    attempt = attempts.start_attempt(course_quiz(ctx), user)
    versions = attempt_layout.versions_for(attempt)
    first = min(versions)
    attempts.save_answers(attempt, Form(right_form(versions[first].data, "q1-")), [first])
    done, _ = attempts.submit_attempt(attempt.id)
    expected_max = sum(REGISTRY[v.data["type"]].max_points(v.data) for v in versions.values())
    one = REGISTRY[versions[first].data["type"]].max_points(versions[first].data)
    assert done.max_points == pytest.approx(expected_max)
    assert done.points == pytest.approx(one)
    assert done.score == pytest.approx(one / expected_max)


def test_invalid_response_is_reported_not_saved(course):
    ctx, user = course
    quiz = course_quiz(ctx)
    attempt = attempts.start_attempt(quiz, user)
    versions = attempt_layout.versions_for(attempt)
    pos, version = next((p, v) for p, v in versions.items() if v.data["type"] == "mcq")
    ids = [o["id"] for o in version.data["options"]]
    outcome = attempts.save_answers(attempt, Form({f"q{pos}-opt": ids[:2]}), [pos])
    assert outcome.problems.get(pos) and pos not in outcome.saved
    assert pos not in attempt_layout.saved_responses(attempt)


def test_position_outside_layout_is_refused(course):
    ctx, user = course
    attempt = attempts.start_attempt(course_quiz(ctx), user)
    with pytest.raises(attempts.AttemptError):
        attempts.save_answers(attempt, Form({}), [len(attempt.layout) + 1])


def test_double_submit_gives_one_submission_and_one_score_row(course):
    ctx, user = course
    attempt = attempts.start_attempt(course_quiz(ctx), user)
    answer_all(attempt)
    results = [attempts.submit_attempt(attempt.id)[1] for _ in range(3)]
    assert results == [True, False, False]
    assert count(ScoreOutbox, ScoreOutbox.attempt_id == attempt.id) == 1
    with pytest.raises(attempts.AttemptClosed):
        attempts.save_answers(attempt, Form({}), [1])


def test_submitting_an_attempt_that_does_not_exist_says_so(course):
    """Without an owner too: the caller gets AttemptNotFound, never (None, False)."""
    with pytest.raises(attempts.AttemptNotFound):
        attempts.submit_attempt(10**6)


def test_concurrent_submit_from_threads_submits_once(app, course):
    ctx, user = course
    attempt = attempts.start_attempt(course_quiz(ctx), user)
    answer_all(attempt)
    attempt_id = attempt.id  # plain int: ORM objects must not cross threads
    barrier, outcomes = threading.Barrier(4), []

    def submit() -> None:
        """One tab's submit, in its own app context and session."""
        with app.app_context():
            barrier.wait()
            outcomes.append(attempts.submit_attempt(attempt_id)[1])
            db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == [False, False, False, True]
    db.session.expire_all()
    assert count(Attempt, Attempt.state == SUBMITTED) == 1
    assert count(ScoreOutbox) == 1


def test_concurrent_start_from_two_tabs_opens_one_attempt(app, course):
    ctx, user = course
    quiz_id = course_quiz(ctx).id
    barrier, ids = threading.Barrier(3), []

    def start() -> None:
        """One tab's start, in its own app context and session."""
        with app.app_context():
            barrier.wait()
            ids.append(attempts.start_attempt(db.session.get(Quiz, quiz_id), user).id)
            db.session.remove()

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(ids) == 3 and len(set(ids)) == 1
    assert count(Attempt) == 1


def test_time_limit_submits_what_was_saved(course):
    ctx, user = course
    quiz = course_quiz(ctx, time_limit_minutes=10)
    start = utcnow()
    attempt = attempts.start_attempt(quiz, user, now=start)
    versions = attempt_layout.versions_for(attempt)
    first = min(versions)
    attempts.save_answers(attempt, Form(right_form(versions[first].data, "q1-")), [first],
                          now=start + timedelta(minutes=9))
    late = Form()
    for pos, version in versions.items():
        late.update(right_form(version.data, attempt_layout.prefix(pos)))
    outcome = attempts.save_answers(attempt, late, list(versions), now=start + timedelta(minutes=11))
    assert outcome.submitted and not outcome.saved
    db.session.expire_all()
    done = db.session.get(Attempt, attempt.id)
    assert done.state == SUBMITTED
    one = REGISTRY[versions[first].data["type"]].max_points(versions[first].data)
    assert done.points == pytest.approx(one)  # only the answer saved before the deadline
    assert attempts.expire_overdue(now=start + timedelta(minutes=30)) == 0
    assert count(Attempt, Attempt.state == SUBMITTED) == 1 and count(ScoreOutbox) == 1


def test_expire_overdue_sweeps_only_past_deadlines(course):
    ctx, user = course
    other = add_user("learner-2")
    quiz = course_quiz(ctx, time_limit_minutes=5)
    start = utcnow()
    early = attempts.start_attempt(quiz, user, now=start)
    later = attempts.start_attempt(quiz, other, now=start + timedelta(minutes=4))
    assert attempts.expire_overdue(now=start + timedelta(minutes=6)) == 1
    db.session.expire_all()
    assert db.session.get(Attempt, early.id).state == SUBMITTED
    assert db.session.get(Attempt, later.id).state != SUBMITTED


def test_attempt_limit(course):
    ctx, user = course
    quiz = course_quiz(ctx, attempts_allowed=2)
    for _ in range(2):
        attempts.submit_attempt(attempts.start_attempt(quiz, user).id)
    with pytest.raises(attempts.AttemptError):
        attempts.start_attempt(quiz, user)
    unlimited = course_quiz(ctx, get_bank().quizzes[1].slug, attempts_allowed=0)
    for _ in range(3):
        attempts.submit_attempt(attempts.start_attempt(unlimited, user).id)
    assert count(Attempt, Attempt.quiz_id == unlimited.id) == 3


@pytest.mark.parametrize("method", ["highest", "average", "first", "last"])
def test_score_row_carries_the_quiz_grade_per_method(course, method):
    ctx, user = course
    quiz = course_quiz(ctx, grading=method, attempts_allowed=0)
    scores = []
    for right in (True, False, True, False):
        attempt = attempts.start_attempt(quiz, user)
        answer_all(attempt, right=right)
        scores.append(attempts.submit_attempt(attempt.id)[0].score)
    assert scores[0] == pytest.approx(1.0) and scores[1] == pytest.approx(0.0)
    newest = db.session.scalars(select(ScoreOutbox).order_by(ScoreOutbox.id.desc())).first()
    expected = {"highest": max(scores), "average": sum(scores) / 4, "first": scores[0],
                "last": scores[-1]}[method]
    # The row only names whose grade must be sent; the sender works it out (grade.py).
    sent = grade.current_score(newest, utcnow())
    assert sent["scoreGiven"] == pytest.approx(expected * 100)
    assert sent["scoreMaximum"] == 100
    assert sent["userId"] == "learner-1"


def test_shuffle_moves_standalone_items_but_keeps_case_blocks(course):
    ctx, user = course
    quiz = course_quiz(ctx, "quiz-final-cases", shuffle=True, attempts_allowed=0)
    seen = set()
    for _ in range(3):
        attempt = attempts.start_attempt(quiz, user)
        cases = [e["case_study_id"] for e in attempt.layout]
        runs = [c for i, c in enumerate(cases) if i == 0 or cases[i - 1] != c]
        assert len(runs) == len(set(runs))  # each case study stays in one block
        seen.add(tuple(e["question_version_id"] for e in attempt.layout))
        attempts.submit_attempt(attempt.id)
    standalone = course_quiz(ctx, "quiz-weakness", shuffle=True, attempts_allowed=0)
    orders = set()
    for _ in range(6):
        attempt = attempts.start_attempt(standalone, user)
        orders.add(tuple(e["question_version_id"] for e in attempt.layout))
        attempts.submit_attempt(attempt.id)
    assert len(orders) > 1


def test_review_visibility_rules():
    see = grading.review_visibility
    assert not see("rationales", "after_each", False, 1, 3).score
    each = see("rationales", "after_each", True, 1, 3)
    assert each.score and each.correctness and each.rationales
    corr = see("correctness", "after_each", True, 1, 3)
    assert corr.correctness and not corr.rationales
    only = see("score", "after_each", True, 3, 3)
    assert only.score and not only.correctness
    waiting = see("rationales", "after_last", True, 2, 3)
    assert waiting.score and not waiting.correctness and waiting.note
    last = see("rationales", "after_last", True, 3, 3)
    assert last.correctness and last.rationales
    assert not see("rationales", "after_last", True, 9, 0).correctness


def test_grade_helpers():
    assert grading.quiz_grade("highest", []) is None
    assert grading.quiz_grade("average", [0.5, 1.0]) == pytest.approx(0.75)
    assert grading.passed(0.7, 70) and not grading.passed(0.69, 70)
    assert grading.attempts_left(0, 10) is None and grading.attempts_left(3, 5) == 0
    with pytest.raises(ValueError):
        grading.quiz_grade("median", [1.0])
