"""Issue 16 §3 bank items: brief §9-13 coverage, CJMM steps, own rationales, working keys, no banned claims."""
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from quizzes.bank_loader import BANK_DIR, load_bank, read_yaml
from quizzes.types import CJMM_STEPS, REGISTRY

NEW_FILES = ("medication-safety.yaml", "botulinum-toxin.yaml", "coordination-swallowing.yaml", "bones-fatigue.yaml")
NEW_CASE = "case-tizanidine-interaction"
# Brief §9-13 areas, by the id prefix each new item carries, with the least each must have.
AREAS = {"coord": 3, "dys": 3, "bone": 3, "fat": 3, "med": 8}
NGN_TYPES = {"sata", "select_n", "matrix_mc", "matrix_mr", "dropdown_cloze", "dropdown_table", "dragdrop_cloze",
             "highlight", "bowtie", "dropdown_rationale", "dragdrop_rationale"}
# The brief's "Do NOT say" lists: never in a stem, a keyed answer or a rationale.
BANNED = {
    "thickened fluids prevent pneumonia": r"\bthicken\w*(?: \w+)? (?:fluids|drinks) prevent",
    "a cough proves a safe swallow": r"cough\w* (?:proves|means|shows) (?:the|that the|a) swallow is safe",
    "dysphagia from muscle atrophy": r"dysphagia (?:is caused by|comes from) muscle atrophy",
    "push through fatigue (as advice)": r"\b(?:should|must|just|to) push through",
    "a drug fixes fatigue or tremor": r"(?:drug|medicine) (?:will|reliably) (?:fix|cure)",
    "pulses are bone-safe": r"bone-safe",
    "one steroid course causes osteoporosis": r"(?:one|a single) (?:steroid )?course causes osteoporosis",
    "MS tremor is Parkinson's": r"\bMS tremor is (?:a )?Parkinson",
}


@pytest.fixture(scope="module")
def bank():
    return load_bank()


@pytest.fixture(scope="module")
def standalone(bank):
    ids = [item["id"] for name in NEW_FILES for item in read_yaml(BANK_DIR / name, name)]
    return [bank.items[i] for i in ids]


@pytest.fixture(scope="module")
def everything(bank, standalone):
    return standalone + list(bank.case_studies[NEW_CASE].items)


def test_at_least_fifteen_items_cover_every_gap_with_ngn_types(standalone):
    areas = Counter(item["id"].split("-")[0] for item in standalone)
    assert len(standalone) >= 15
    assert all(areas[area] >= least for area, least in AREAS.items()), areas
    assert set(areas) <= set(AREAS)
    assert len({item["type"] for item in standalone} & NGN_TYPES) >= 8


def test_every_item_names_its_cjmm_step_and_the_items_span_all_six(standalone, everything):
    assert all(item.get("cjmm") in CJMM_STEPS for item in everything)
    assert {item["cjmm"] for item in standalone} == set(CJMM_STEPS)


def options_of(item: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every choosable thing in an item (option, token, target, prompt, row, segment, column), with a path."""
    for key in ("options", "tokens", "targets", "prompts", "rows", "actions", "condition", "parameters"):
        for option in item.get(key) or []:
            yield f"{key}[{option['id']}]", option
    for blank in item.get("blanks") or []:
        for option in blank["options"]:
            yield f"blanks[{blank['id']}].options[{option['id']}]", option
    for segment in item.get("passage") or []:
        if isinstance(segment, Mapping):
            yield f"passage[{segment['id']}]", segment
    if item["type"] == "matrix_mr":
        for column in item["columns"]:
            yield f"columns[{column['id']}]", column


def test_every_option_has_its_own_rationale(everything):
    # Stricter than the content check: a token or target that is some slot's answer explains itself too.
    bare = [f"{item['id']}: {path}" for item in everything for path, option in options_of(item)
            if not str(option.get("rationale") or "").strip()]
    assert sum(1 for item in everything for _ in options_of(item)) > 150
    assert bare == []


class Form(dict):
    """A posted form answering getlist() like werkzeug's MultiDict."""

    def getlist(self, key: str) -> list[Any]:
        value = self.get(key, [])
        return list(value) if isinstance(value, (list, tuple)) else [value]


def key_form(item: Mapping[str, Any], p: str) -> Form:
    """Form fields that answer an item as its key says, from the documented field names."""
    kind = item["type"]
    chosen = lambda pool: [o["id"] for o in pool if isinstance(o, Mapping) and o.get("correct")]  # noqa: E731
    if kind == "mcq":
        return Form({p + "opt": chosen(item["options"])[0]})
    if kind == "true_false":
        return Form({p + "value": "true" if item["answer"] else "false"})
    if kind in ("sata", "select_n", "highlight"):
        return Form({p + "opt": chosen(item.get("options") or item.get("passage"))})
    if kind == "matching":
        return Form({f"{p}pair-{x['id']}": x["match"] for x in item["prompts"]})
    if kind in ("matrix_mc", "matrix_mr", "dropdown_table"):
        return Form({f"{p}row-{r['id']}": r["answer"] for r in item["rows"]})
    if kind in ("dropdown_cloze", "dropdown_rationale"):
        return Form({f"{p}blank-{b['id']}": b["answer"] for b in item["blanks"]})
    if kind in ("dragdrop_cloze", "dragdrop_rationale"):
        return Form({f"{p}target-{t['id']}": t["answer"] for t in item["targets"]})
    assert kind == "bowtie", kind
    acts, cond, pars = chosen(item["actions"]), chosen(item["condition"]), chosen(item["parameters"])
    return Form({p + "zone-action-1": acts[0], p + "zone-action-2": acts[1], p + "zone-condition": cond[0],
                 p + "zone-parameter-1": pars[0], p + "zone-parameter-2": pars[1]})


def test_each_key_scores_full_marks_and_a_blank_answer_scores_zero(everything):
    for item in everything:
        kind = REGISTRY[item["type"]]
        parsed = kind.parse(item, key_form(item, "q1-"), "q1-")
        assert parsed.valid, (item["id"], parsed.problems)
        result = kind.score(item, parsed.response)
        assert result.points == result.max_points > 0, item["id"]
        assert kind.score(item, kind.parse(item, Form(), "q1-").response).points == 0, item["id"]


def keyed_texts(item: Mapping[str, Any]) -> Iterator[str]:
    """The stem, every rationale and the text of every keyed answer: what the item asserts as true."""
    yield item["stem"]
    yield str(item.get("rationale") or "")
    for _, option in options_of(item):
        yield str(option.get("rationale") or "")
        if option.get("correct"):
            yield str(option["text"])
    for blank in item.get("blanks") or []:
        yield next(str(o["text"]) for o in blank["options"] if o["id"] == blank["answer"])
    used = {t["answer"] for t in item.get("targets") or [] if "answer" in t}
    used |= {p["match"] for p in item.get("prompts") or []}
    yield from (str(o["text"]) for o in (item.get("tokens") or []) + (item.get("targets") or []) if o["id"] in used)


@pytest.mark.parametrize("claim", BANNED)
def test_no_item_asserts_a_claim_the_brief_forbids(everything, claim):
    pattern = re.compile(BANNED[claim], re.IGNORECASE | re.MULTILINE)
    hits = [item["id"] for item in everything for text in keyed_texts(item) if pattern.search(text)]
    assert hits == []


def test_the_banned_claim_patterns_catch_the_forbidden_wording():
    samples = {
        "thickened fluids prevent pneumonia": "Thickened fluids prevent pneumonia in MS.",
        "a cough proves a safe swallow": "A strong cough shows that the swallow is safe.",
        "dysphagia from muscle atrophy": "In MS, dysphagia comes from muscle atrophy.",
        "push through fatigue (as advice)": "You should push through the tiredness.",
        "a drug fixes fatigue or tremor": "This drug will fix the tremor.",
        "pulses are bone-safe": "Short pulses are bone-safe.",
        "one steroid course causes osteoporosis": "A single steroid course causes osteoporosis.",
        "MS tremor is Parkinson's": "MS tremor is Parkinson's disease.",
    }
    assert samples.keys() == BANNED.keys()
    for claim, sample in samples.items():
        assert re.search(BANNED[claim], sample, re.IGNORECASE | re.MULTILINE), claim


def test_the_new_case_unfolds_over_two_stages_and_every_new_item_is_in_a_shipped_quiz(bank, standalone):
    case = bank.case_studies[NEW_CASE]
    assert [item["cjmm"] for item in case.items] == list(CJMM_STEPS)
    assert len({item["stage"] for item in case.items}) == 2
    shipped = {i for quiz in bank.quizzes for i in bank.quiz_item_ids(quiz)}
    assert {item["id"] for item in standalone} | {item["id"] for item in case.items} <= shipped
