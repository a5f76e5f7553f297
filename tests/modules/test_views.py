"""Module pages through HTTP: rendering, links, server-checked practice, bad input, roles."""
from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modules.schema import PracticeItem
from modules.views import web_course
from tests.conftest import csrf_from, launch_as

COURSE = web_course()


def item_of_type(kind: str) -> tuple[str, str, PracticeItem]:
    """(module, section, item) of the first item of a practice type in the shipped content."""
    for module in COURSE.modules:
        for section in module.sections:
            for item in section.items:
                if item.type == kind:
                    return module.slug, section.slug, item
    raise AssertionError(f"no {kind} item in the content")


def correct_form(item: PracticeItem) -> dict[str, str]:
    """The form fields a learner posts for the right answer, built from the content."""
    if item.type == "ladder":
        return {f"pos-{step.id}": str(i) for i, step in enumerate(item.steps, start=1)}
    return {"answer": next(o.id for o in item.options if o.correct)}


def wrong_form(item: PracticeItem) -> dict[str, str]:
    """Fields for a wrong answer: another option, or the ladder reversed."""
    if item.type == "ladder":
        count = len(item.steps)
        return {f"pos-{step.id}": str(count - i) for i, step in enumerate(item.steps)}
    return {"answer": next(o.id for o in item.options if not o.correct)}


def page(client, url: str) -> str:
    """GET a page that must exist."""
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return resp.get_data(as_text=True)


def answer(client, cid: int, module: str, section: str, item_id: str, fields: dict,
           as_json: bool = False):
    """Post an answer with a fresh CSRF token from the section page."""
    base = f"/c/{cid}/modules/{module}/{section}"
    data = {"csrf_token": csrf_from(page(client, base)), **fields}
    headers = {"Accept": "application/json"} if as_json else {}
    return client.post(f"{base}/items/{item_id}", data=data, headers=headers)


class Anchors(HTMLParser):
    """Collects every href and every id in a page."""

    def __init__(self) -> None:
        """Start empty."""
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        """Record href and id attributes."""
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"])
        if tag == "a" and found.get("href"):
            self.hrefs.append(found["href"])


def parse(html: str) -> Anchors:
    """Hrefs and ids of a page."""
    anchors = Anchors()
    anchors.feed(html)
    return anchors


@pytest.fixture
def learner(app, platform):
    """A launched learner's browser and the context id."""
    client = app.test_client()
    return client, launch_as(client, platform, "learner", user="alice")


def test_every_module_page_renders_with_review_date_and_disclaimer(learner):
    client, cid = learner
    listing = page(client, f"/c/{cid}/modules/")
    for module in COURSE.modules:
        assert module.title in unescape(listing)
        overview = page(client, f"/c/{cid}/modules/{module.slug}/")
        assert module.reviewed.isoformat() in overview
        assert "does not replace clinical judgement" in overview
        assert all(obj in unescape(overview) for obj in module.objectives)
        refs = parse(page(client, f"/c/{cid}/modules/{module.slug}/references"))
        assert {r.anchor for r in module.references} <= refs.ids
        for section in module.sections:
            body = page(client, f"/c/{cid}/modules/{module.slug}/{section.slug}")
            assert section.title in unescape(body) and module.reviewed.isoformat() in body


def test_glossary_has_an_anchor_per_term(learner):
    client, cid = learner
    ids = parse(page(client, f"/c/{cid}/modules/glossary")).ids
    assert {t.anchor for t in COURSE.glossary} <= ids


def test_relative_links_in_module_pages_resolve_to_real_pages_and_anchors(learner):
    """The loader writes links relative to section pages; each must land on a page and id."""
    client, cid = learner
    targets: dict[str, Anchors] = {}
    checked = 0
    for module in COURSE.modules:
        pages = [f"/c/{cid}/modules/{module.slug}/"] + [
            f"/c/{cid}/modules/{module.slug}/{s.slug}" for s in module.sections]
        for url in pages:
            for href in parse(page(client, url)).hrefs:
                if href.startswith(("http", "mailto:", "/", "#")):
                    continue
                parts = urlsplit(urljoin(url, href))
                if parts.path not in targets:
                    targets[parts.path] = parse(page(client, parts.path))
                assert not parts.fragment or parts.fragment in targets[parts.path].ids, (url, href)
                checked += 1
    assert checked > 20  # term links, citations and cross-module links were all exercised


def test_unknown_module_or_section_is_404(learner):
    client, cid = learner
    module = COURSE.modules[0]
    assert client.get(f"/c/{cid}/modules/no-such-module/").status_code == 404
    assert client.get(f"/c/{cid}/modules/{module.slug}/no-such-section").status_code == 404
    assert client.get(f"/c/{cid}/modules/no-such-module/references").status_code == 404


@pytest.mark.parametrize("kind", ["ashworth", "mrc", "emg", "atrophy", "ladder", "choice"])
def test_each_practice_type_is_checked_on_the_server(learner, kind):
    client, cid = learner
    module, section, item = item_of_type(kind)
    resp = answer(client, cid, module, section, item.id, wrong_form(item))
    assert resp.status_code == 303
    assert resp.location.endswith(f"/{module}/{section}#feedback-{item.id}")
    assert "Not quite" in page(client, resp.location)
    resp = answer(client, cid, module, section, item.id, correct_form(item), as_json=True)
    reply = resp.get_json()
    assert reply["state"] == "correct" and "Correct." in reply["html"]
    assert "progress" in reply and reply["progress"]["percent"] > 0


def test_feedback_gives_the_reason_for_a_wrong_choice(learner):
    client, cid = learner
    module, section, item = item_of_type("choice")
    wrong = next(o for o in item.options if not o.correct)
    reply = answer(client, cid, module, section, item.id, {"answer": wrong.id},
                   as_json=True).get_json()
    assert reply["state"] == "incorrect"
    assert wrong.why_html in reply["html"] and item.explanation_html.strip() in reply["html"]


def test_emg_question_does_not_name_the_pattern_in_its_image(learner):
    client, cid = learner
    module, section, item = item_of_type("emg")
    html = page(client, f"/c/{cid}/modules/{module}/{section}")
    titles = re.findall(r"<title[^>]*>([^<]*)</title>", html)
    descs = re.findall(r"<desc[^>]*>([^<]*)</desc>", html)
    assert titles and descs
    for text in titles + descs:
        for pattern in ("denervation", "myopathic", "upper motor neuron", "normal pattern"):
            assert pattern not in text.lower()


@pytest.mark.parametrize("fields", [
    {},
    {"answer": "not-an-option"},
    {"answer": "x" * 5000},
    {"pos-a": "1"},
])
def test_malformed_single_answer_gives_feedback_not_an_error(learner, fields):
    client, cid = learner
    module, section, item = item_of_type("mrc")
    resp = answer(client, cid, module, section, item.id, fields)
    assert resp.status_code == 303
    assert "Choose an answer" in page(client, resp.location)
    reply = answer(client, cid, module, section, item.id, fields, as_json=True).get_json()
    assert reply["state"] == "problem"


def test_malformed_ladder_positions_give_feedback(learner):
    client, cid = learner
    module, section, item = item_of_type("ladder")
    same = {f"pos-{s.id}": "1" for s in item.steps}
    reply = answer(client, cid, module, section, item.id, same, as_json=True).get_json()
    assert reply["state"] == "problem" and "different position" in reply["html"]
    out_of_range = {f"pos-{s.id}": "99" for s in item.steps}
    resp = answer(client, cid, module, section, item.id, out_of_range)
    assert resp.status_code == 303 and "for every step" in page(client, resp.location)


def test_repeated_answer_fields_are_not_a_crash(learner):
    client, cid = learner
    module, section, item = item_of_type("ashworth")
    base = f"/c/{cid}/modules/{module}/{section}"
    token = csrf_from(page(client, base))
    resp = client.post(f"{base}/items/{item.id}",
                       data={"csrf_token": token, "answer": ["0", "1"]})
    assert resp.status_code == 303


def test_unknown_item_is_404_and_missing_csrf_is_400(learner):
    client, cid = learner
    module, section, item = item_of_type("choice")
    base = f"/c/{cid}/modules/{module}/{section}"
    token = csrf_from(page(client, base))
    assert client.post(f"{base}/items/nope", data={"csrf_token": token}).status_code == 404
    assert client.post(f"{base}/items/{item.id}", data=correct_form(item)).status_code == 400


def test_nav_and_progress_table_depend_on_role(app, platform):
    learner, teacher = app.test_client(), app.test_client()
    cid = launch_as(learner, platform, "learner", user="alice")
    launch_as(teacher, platform, "instructor", user="teacher")
    learner_home = page(learner, f"/c/{cid}/")
    assert f'href="/c/{cid}/modules/"' in learner_home
    assert f'href="/c/{cid}/modules/glossary"' in learner_home
    assert f'/c/{cid}/modules/progress' not in learner_home
    assert learner.get(f"/c/{cid}/modules/progress").status_code == 403
    assert f'/c/{cid}/modules/progress' in page(teacher, f"/c/{cid}/")
    assert "Learner progress" in page(teacher, f"/c/{cid}/modules/progress")


def test_pages_need_a_launch(client):
    assert client.get("/c/1/modules/").status_code == 401


def test_static_files_are_served(client):
    assert client.get("/static/modules/practice.js").status_code == 200
    assert client.get("/static/modules/modules.css").status_code == 200


def test_question_traces_share_a_neutral_name_but_describe_different_shapes():
    from modules.traces import NEUTRAL_TITLE, trace_svg
    kinds = ["normal", "denervation", "myopathic", "upper_motor_neuron"]
    svgs = [trace_svg(kind, uid="q", neutral=True) for kind in kinds]
    titles = {re.search(r"<title[^>]*>([^<]*)</title>", s).group(1) for s in svgs}
    descs = {re.search(r"<desc[^>]*>([^<]*)</desc>", s).group(1) for s in svgs}
    assert titles == {NEUTRAL_TITLE}
    assert len(descs) == len(kinds)
    assert all(kind.split("_")[0] not in svg.lower() for kind, svg in zip(kinds, svgs)
               if kind != "normal")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.dictionaries(
    st.sampled_from(["answer", "order", "pos-triggers", "pos-first-line", "pos-x", "junk"]),
    st.one_of(st.text(max_size=30), st.lists(st.text(max_size=5), max_size=3))))
def test_any_posted_fields_give_feedback_never_a_server_error(learner, fields):
    client, cid = learner
    for kind in ("ladder", "emg"):
        module, section, item = item_of_type(kind)
        resp = answer(client, cid, module, section, item.id, fields, as_json=True)
        assert resp.status_code == 200
        assert resp.get_json()["state"] in {"correct", "incorrect", "problem"}
