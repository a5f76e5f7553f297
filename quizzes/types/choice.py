"""Choice-list types: single answer, true/false, SATA (+/-) and select-N (0/1)."""

from __future__ import annotations

from typing import Any

import quizzes.types.checks as checks

from .base import (
    PLAIN_STATS,
    WRITTEN,
    Form,
    Item,
    ParseResult,
    PartResult,
    QuestionType,
    ScoreResult,
    Stats,
    cannot,
    total,
    zero,
)
from .form_spec import Scalar, TypeForm, choice_rows
from .forms import as_map, id_text, known, maybe_shuffled, one, pick, pick_many, public_base, values


def _ids(item: Item) -> list[str]:
    """The option ids of a choice item."""
    return [o["id"] for o in item["options"]]


def _option_parts(item: Item, selected: list[str], *, penalty: bool) -> list[PartResult]:
    """One part per option: +1 for a correct pick, -1 (when ``penalty``) for a wrong pick."""
    parts = []
    for opt in item["options"]:
        right = bool(opt.get("correct", False))
        picked = opt["id"] in selected
        points = (1.0 if right else (-1.0 if penalty else 0.0)) if picked else 0.0
        parts.append(
            PartResult(opt["id"], opt["text"], points, 1.0 if right else 0.0, picked == right,
                       picked, right, opt["rationale"])
        )
    return parts


def _public_options(item: Item, seed: str) -> dict[str, Any]:
    """Public view of a choice item: options without correctness, shuffled when allowed."""
    view = public_base(item)
    view["options"] = maybe_shuffled(item, id_text(item["options"]), seed, "options")
    return view


def _correct_count(item: Item) -> float:
    """Number of options marked correct."""
    return float(sum(1 for o in item["options"] if o.get("correct", False)))


# --- mcq -------------------------------------------------------------------------------------

def validate_mcq(item: Item, where: str) -> None:
    """One correct option among two to eight."""
    checks.common(item, where, "mcq", {"options"})
    checks.choices(item, "options", where, min_n=2, max_n=8, n_correct=(1, 1))


def parse_mcq(item: Item, form: Form, prefix: str) -> ParseResult:
    """Read ``{prefix}opt``; more than one choice is refused."""
    choice, several = one(form, f"{prefix}opt", _ids(item))
    return ParseResult({"selected": choice}, ("Choose only one answer.",) if several else ())


def score_mcq(item: Item, response: Any) -> ScoreResult:
    """1 point for the correct option."""
    chosen = pick(as_map(response).get("selected"), _ids(item))
    return total(_option_parts(item, [chosen] if chosen else [], penalty=False))


# --- true_false -------------------------------------------------------------------------------

def validate_true_false(item: Item, where: str) -> None:
    """A boolean answer and one rationale."""
    checks.common(item, where, "true_false", {"answer", "rationale"})
    if not isinstance(item["answer"], bool):
        checks.fail(where, "answer", f"must be true or false, not {item['answer']!r}")
    checks.rationale(item, where, "")


def public_true_false(item: Item, seed: str) -> dict[str, Any]:
    """Only the statement; the two choices are fixed."""
    view = public_base(item)
    view["options"] = [{"id": "true", "text": "True"}, {"id": "false", "text": "False"}]
    return view


def parse_true_false(item: Item, form: Form, prefix: str) -> ParseResult:
    """Read ``{prefix}value`` = true | false."""
    posted = {v.lower() for v in values(form, f"{prefix}value")} & {"true", "false"}
    if len(posted) > 1:
        return ParseResult({"value": None}, ("Choose either true or false.",))
    return ParseResult({"value": (posted.pop() == "true") if posted else None}, ())


def score_true_false(item: Item, response: Any) -> ScoreResult:
    """1 point when the chosen value equals the answer."""
    value = as_map(response).get("value")
    chosen = value if isinstance(value, bool) else None
    right = chosen is item["answer"]
    part = PartResult("statement", "Statement", 1.0 if right else 0.0, 1.0, right, chosen,
                      item["answer"], item["rationale"])
    return total([part])


# --- sata -------------------------------------------------------------------------------------

def validate_sata(item: Item, where: str) -> None:
    """Three to ten options, at least one correct."""
    checks.common(item, where, "sata", {"options"})
    checks.choices(item, "options", where, min_n=3, max_n=10, n_correct=(1, 10))


def parse_multi(item: Item, form: Form, prefix: str) -> ParseResult:
    """Read repeated ``{prefix}opt`` values."""
    return ParseResult({"selected": known(form, f"{prefix}opt", _ids(item))}, ())


def score_sata(item: Item, response: Any) -> ScoreResult:
    """+1 per correct pick, -1 per incorrect pick, floor 0 (NCSBN +/- scoring)."""
    chosen = pick_many(as_map(response).get("selected"), _ids(item))
    return total(_option_parts(item, chosen, penalty=True), floor=True)


# --- select_n ---------------------------------------------------------------------------------

def validate_select_n(item: Item, where: str) -> None:
    """N correct options among more than N."""
    checks.common(item, where, "select_n", {"select", "options"})
    n = item["select"]
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        checks.fail(where, "select", f"must be a whole number of 1 or more, not {n!r}")
    checks.choices(item, "options", where, min_n=n + 1, max_n=12, n_correct=(n, n))


def public_select_n(item: Item, seed: str) -> dict[str, Any]:
    """Options plus how many to pick."""
    view = _public_options(item, seed)
    view["select"] = item["select"]
    return view


def parse_select_n(item: Item, form: Form, prefix: str) -> ParseResult:
    """Like SATA, but more than N picks is an invalid response that must not be saved."""
    parsed = parse_multi(item, form, prefix)
    n, count = item["select"], len(parsed.response["selected"])
    if count > n:
        return ParseResult(parsed.response, (f"Select no more than {n} options (you selected {count}).",))
    return parsed


def score_select_n(item: Item, response: Any) -> ScoreResult:
    """1 point per correct pick; a response with more than N picks is invalid and earns 0."""
    chosen = pick_many(as_map(response).get("selected"), _ids(item))
    result = total(_option_parts(item, chosen, penalty=False))
    return zero(result) if len(chosen) > item["select"] else result


def _one_point(item: Item) -> float:
    """Single-answer items are worth one point."""
    return 1.0


def _select_count(item: Item) -> float:
    """A select-N item is worth N."""
    return float(item["select"])


def _guess_one_option(item: Item) -> float:
    """A blind guesser picks one of the options."""
    return 1.0 / len(item["options"])


def _guess_true_or_false(item: Item) -> float:
    """A blind guesser is right half the time."""
    return 0.5


TYPES = (
    QuestionType("mcq", "Multiple choice (one answer)", "classic", validate_mcq, _public_options,
                 parse_mcq, score_mcq, _one_point,
                 form=TypeForm("mcq", (), (choice_rows("Options (exactly one correct)", "Option", 2, 8),), True),
                 gift=WRITTEN, qti=WRITTEN, stats=Stats(guess=_guess_one_option), moodle=WRITTEN),
    QuestionType("true_false", "True or false", "classic", validate_true_false, public_true_false,
                 parse_true_false, score_true_false, _one_point,
                 form=TypeForm("true_false", (
                     Scalar("answer", "The statement is", "tf", choices=(("true", "True"), ("false", "False"))),
                     Scalar("rationale", "Rationale", "md", help="Explain the answer."),
                 ), (), False),
                 gift=WRITTEN, qti=WRITTEN, stats=Stats(guess=_guess_true_or_false), moodle=WRITTEN),
    QuestionType("sata", "Select all that apply", "ngn", validate_sata, _public_options,
                 parse_multi, score_sata, _correct_count,
                 form=TypeForm("sata", (), (choice_rows("Options (at least one correct)", "Option", 3, 10),), True),
                 gift=WRITTEN, qti=WRITTEN, stats=PLAIN_STATS, moodle=WRITTEN),
    QuestionType("select_n", "Select N", "ngn", validate_select_n, public_select_n,
                 parse_select_n, score_select_n, _select_count,
                 form=TypeForm("select_n", (Scalar("select", "Number to select (N)", "int"),),
                               (choice_rows("Options (exactly N correct)", "Option", 3, 12),), True),
                 gift=cannot("GIFT cannot limit how many options a learner selects"),
                 qti=cannot("QTI 1.2 multiple answers cannot cap the number of selections"), stats=PLAIN_STATS,
                 moodle=cannot("Moodle's multiple-answer question cannot limit how many options a learner "
                               "selects, so choosing every option would earn full marks")),
)
