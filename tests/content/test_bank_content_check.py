"""`flask content check` over the bank: ordering items name their rule, options explain themselves."""
import json
from dataclasses import replace

import pytest

import modules.option_feedback as feedback
import quizzes.lti_targets as lti_targets
import quizzes.option_rationales as rule
from course.content import ContentError
from modules.loader import get_course
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


def dropdown_cloze(ident, why=None):
    extra = {"rationale": why} if why else {}
    return {"id": ident, "type": "dropdown_cloze", "topic": "diagnosis", "stem": "Fill.", "text": "[[b1]]",
            "blanks": [{"id": "b1", "answer": "o1", "rationale": "Key.",
                        "options": [{"id": "o1", "text": "one"}, {"id": "o2", "text": "two"} | extra]}]}


def test_the_cli_fails_on_an_option_without_a_rationale_and_names_it(app, monkeypatch):
    bad = bank_of(dropdown_cloze("cloze-bad"), dropdown_cloze("cloze-ok", "No."))
    monkeypatch.setattr(rule, "get_bank", lambda: bad)
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "Content error: quizzes/bank: 1 option(s) in 1 item(s) have no rationale of their own" in result.output
    assert "item cloze-bad: blanks[b1].options[o2]" in result.output and "cloze-ok" not in result.output


def test_the_cli_fails_on_a_wrong_module_grade_without_feedback(app, monkeypatch):
    real = get_course()
    module = real.modules[0]
    section = module.sections[0]
    item = next(i for i in section.items if i.options)
    bare = replace(item, options=tuple(replace(o, why_html="") for o in item.options))
    course = replace(real, modules=(replace(module, sections=(replace(section, practice=(bare,), checks=()),)),))
    monkeypatch.setattr(feedback, "get_course", lambda: course)
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    wrong = [o.id for o in item.options if not o.correct]
    assert f"module {module.slug}, section {section.slug}, item {item.id}: why for {', '.join(wrong)}" in result.output


def test_the_json_reports_how_many_options_were_checked(app):
    result = app.test_cli_runner().invoke(args=["content", "check", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["bank_options_explained"] > 100 and data["module_wrong_options_explained"] > 100
