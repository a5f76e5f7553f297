"""Issue 16 §3 modules 08 and 09: brief §9-13 coverage, own rationales, sources, left-out "verify" points, pages."""
import re
from html import unescape

import pytest

from modules.loader import get_course
from modules.schema import Module, PracticeItem
from tests.conftest import launch_as

NEW = ("everyday-care", "medication-safety")
# Each brief area, the section that teaches it, and words its body must name.
COVERAGE = {
    ("everyday-care", "coordination"): ("ataxia", "intention tremor", "dysmetria", "romberg", "night lights"),
    ("everyday-care", "swallowing-signs-and-screening"): ("silent aspiration", "dymus", "trained", "nothing by mouth"),
    ("everyday-care", "safe-meals-and-medicines"): ("upright", "iddsi", "modified-release", "pharmacist"),
    ("everyday-care", "bone-health"): ("frax", "fragility fracture", "bisphosphonate", "just a fall"),
    ("everyday-care", "fatigue-or-weakness"): ("fatigability", "mfis", "fss", "cut-off", "energy conservation"),
    ("medication-safety", "oral-spasticity-drugs"): ("ciprofloxacin", "fluvoxamine", "liver", "dantrolene",
                                                     "benzodiazepine", "dependence", "falls"),
    ("medication-safety", "intrathecal-baclofen"): ("trial", "refill", "alarm", "mri", "overdose", "withdrawal",
                                                    "emergency"),
    ("medication-safety", "botulinum-toxin"): ("within days", "12 weeks", "stretching", "swallowing",
                                               "drooping eyelids"),
}
# Points the brief marks "verify" that were left out: none may appear in the new modules.
LEFT_OUT = {
    "botulinum toxin peak time": r"\bpeak",
    "calcium and vitamin D doses": r"\b(?:IU|\d[\d,]* ?mg (?:of )?calcium)\b",
    "BHOF age thresholds": r"BHOF[^.]*\b(?:age|aged) \d",
    "vitamin D as an MS treatment": r"vitamin D is not an MS",
    "CBT and mindfulness for fatigue": r"\b(?:CBT|mindfulness)\b",
    "weighted aids": r"\bweighted\b",
    "dysphagia risk and brainstem (Guan)": r"\bbrainstem\b",
    "fatigue worsens swallowing": r"swallow\w* (?:gets|get) worse",
}
# The brief's "Do NOT say" claims, as the course's own voice would state them.
BANNED = {
    "thickened fluids prevent pneumonia": r"thicken\w* (?:fluids|drinks) prevent",
    "a cough proves a safe swallow": r"cough\w* (?:reflex )?proves",
    "pulses are bone-safe": r"bone-safe",
    "push through fatigue": r"push through",
    "a drug fixes fatigue or tremor": r"(?:drug|tablet|medicine) (?:will|reliably) (?:fix|cure)",
    "MS tremor is Parkinson's": r"tremor is (?:a )?Parkinson",
}
NEGATION = re.compile(r"\b(?:not|never|no|avoid\w*|do not|don't)\b", re.I)


def plain(html: str) -> str:
    """Rendered HTML as plain text."""
    return unescape(re.sub(r"<[^>]+>", " ", html))


def modules() -> list[Module]:
    return [get_course().module(slug) for slug in NEW]


def items():
    return [(m.slug, item) for m in modules() for s in m.sections for item in s.practice + s.checks]


def own_voice(item: PracticeItem) -> list[str]:
    """The texts an item asserts as true: explanation, keyed option and every rationale (not the case)."""
    texts = [item.explanation_html]
    for option in item.options:
        texts += [option.why_html] + ([option.text_html] if option.correct else [])
    return texts


def prose(module: Module) -> list[str]:
    """Everything a module says in its own voice (distractor texts excluded)."""
    texts = [module.intro_html] + [s.html for s in module.sections]
    return texts + [t for item in all_items(module) for t in own_voice(item)]


def all_items(module: Module) -> list[PracticeItem]:
    return [item for s in module.sections for item in s.practice + s.checks]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;:!?])\s+", plain(text)) if s.strip()]


def test_both_modules_load_after_the_existing_seven_with_every_brief_area():
    numbers = {m.slug: m.number for m in get_course().modules}
    assert numbers["everyday-care"] > numbers["falls-and-safety"] < numbers["medication-safety"]
    for (module, section), words in COVERAGE.items():
        body = plain(get_course().module(module).section(section).html).lower()
        missing = [w for w in words if w not in body]
        assert not missing, (module, section, missing)


@pytest.mark.parametrize("module", NEW)
def test_every_section_has_practice_and_a_check(module):
    for section in get_course().module(module).sections:
        assert section.practice and section.checks, (module, section.slug)


def test_every_option_and_wrong_grade_has_its_own_rationale():
    for module, item in items():
        # A scale item's keyed grade is explained by the explanation; every other option has its own why.
        explained = [o for o in item.options if item.type == "choice" or not o.correct]
        whys = [plain(o.why_html).strip() for o in explained]
        assert len(explained) >= 3 and all(whys), (module, item.id)
        assert len(set(whys)) == len(whys), (module, item.id, "two options share a rationale")
        assert sum(o.correct for o in item.options) == 1, (module, item.id)


def test_every_reference_is_cited_and_every_module_cites_at_least_three():
    for module in modules():
        rendered = "".join(prose(module)) + "".join(
            t for i in all_items(module) for t in [i.prompt_html] + [o.text_html for o in i.options])
        cited = set(re.findall(r'href="references#ref-([a-z0-9-]+)"', rendered))
        declared = {r.id for r in module.references}
        assert declared == cited, (module.slug, sorted(declared - cited))
        assert len(declared) >= 3


def test_points_marked_verify_are_left_out():
    for module in modules():
        texts = prose(module) + [t for item in all_items(module)
                                 for t in [item.prompt_html] + [o.text_html for o in item.options]]
        for name, pattern in LEFT_OUT.items():
            hits = [t for t in texts if re.search(pattern, plain(t))]
            assert not hits, (module.slug, name, hits[:1])


def test_banned_claims_appear_only_as_claims_to_avoid():
    for module in modules():
        texts = prose(module)
        for name, pattern in BANNED.items():
            asserted = [s for t in texts for s in sentences(t)
                        if re.search(pattern, s, re.I) and not NEGATION.search(s)]
            assert not asserted, (module.slug, name, asserted)


def test_new_terms_reach_the_glossary_with_unique_slugs():
    course = get_course()
    slugs = [t.slug for t in course.glossary]
    assert len(slugs) == len(set(slugs))
    for module in modules():
        assert {t.slug for t in module.key_terms} <= set(slugs)


@pytest.fixture
def learner(app, platform):
    client = app.test_client()
    return client, launch_as(client, platform, "learner", user="new-modules")


def test_course_home_lists_the_new_modules_and_their_pages_render(learner):
    client, cid = learner
    home = plain(client.get(f"/c/{cid}/").get_data(as_text=True))
    for module in modules():
        assert f"Module {module.number}: {module.title}" in home
        pages = [f"{module.slug}/", f"{module.slug}/references"] + [f"{module.slug}/{s.slug}" for s in module.sections]
        for url in pages:
            resp = client.get(f"/c/{cid}/modules/{url}")
            assert resp.status_code == 200, url
    glossary = client.get(f"/c/{cid}/modules/glossary").get_data(as_text=True)
    assert 'id="term-ataxia"' in glossary and 'id="term-itb-withdrawal"' in glossary


def test_a_wrong_answer_on_the_tizanidine_case_explains_the_interaction(learner):
    client, cid = learner
    base = f"/c/{cid}/modules/medication-safety/oral-spasticity-drugs"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(base).get_data(as_text=True))
    assert token
    resp = client.post(f"{base}/items/tiz-cipro", data={"csrf_token": token.group(1), "answer": "space"},
                       headers={"Accept": "application/json"})
    reply = resp.get_json()
    assert resp.status_code == 200 and reply["state"] == "incorrect"
    assert "Spacing the doses does not prevent the interaction" in plain(reply["html"])
    assert "fluvoxamine or ciprofloxacin" in plain(reply["html"])
