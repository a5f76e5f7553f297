"""`flask content check` over the bank: ordering items name their rule, options explain themselves."""
import pytest

import quizzes.lti_targets as lti_targets
from course.content import ContentError
from quizzes.bank_loader import Bank, get_bank


def ordering(ident, **extra):
    return {"id": ident, "type": "ordering", "topic": "weakness", "stem": "Order.",
            "options": [{"id": "a", "text": "A", "rationale": "First."},
                        {"id": "b", "text": "B", "rationale": "Second."}]} | extra


def bank_of(*items):
    return Bank({i["id"]: i for i in items}, {}, ())


def test_a_shipped_ordering_item_must_name_its_scoring_rule(monkeypatch):
    monkeypatch.setattr(lti_targets, "get_bank", lambda: bank_of(ordering("ord-ok", scoring="per_position"),
                                                                 ordering("ord-silent")))
    with pytest.raises(ContentError) as err:
        lti_targets.content_check()
    assert str(err.value).startswith("quizzes/bank: item ord-silent: scoring: missing; write all_or_nothing")


@pytest.mark.parametrize("rule", ["all_or_nothing", "per_position"])
def test_either_named_rule_passes(monkeypatch, rule):
    monkeypatch.setattr(lti_targets, "get_bank", lambda: bank_of(ordering("ord-ok", scoring=rule)))
    assert isinstance(lti_targets.content_check(), dict)  # no error


def test_the_shipped_bank_names_every_ordering_rule():
    assert lti_targets.content_check()["questions"] == len(get_bank().items)
