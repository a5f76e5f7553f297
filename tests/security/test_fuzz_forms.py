"""Property-based fuzzing of every POST endpoint: never a 5xx, and every refusal says why.

Each endpoint gets its own page's form (harvested from the seeded course), damaged by
hypothesis: fields dropped, replaced, repeated or added; unicode, huge and malformed values;
random uploads, with a valid CSRF token so the views themselves are reached. The instructor and
the learner both post. The parsers behind the uploads are fuzzed in test_fuzz_parsers.py.
"""
from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from quizzes.types import REGISTRY
from tests.conftest import csrf_from
from tests.platform_services import deep_link_launch, platform_services
from tests.security.fuzz_data import form_data, fuzz_settings, json_body
from tests.security.helpers import (
    WRITE_METHODS,
    build,
    harvest,
    has_message,
    html_pages,
    rules,
    visit,
)
from tests.security.seed import seed_course

APP_CONFIG = {"DEMO_PLATFORM": True}

# Every write endpoint, in the order fuzzed (answers before submit keep the attempt open).
COURSE_ENDPOINTS = [
    "modules.answer", "quizzes.start", "quizzes.attempt_save", "quizzes.autosave",
    "quizzes.submit", "quizzes.create", "quizzes.live_preview", "quizzes.edit_question",
    "quizzes.copy", "quizzes.quizzes", "quizzes.save_settings", "quizzes.add_question_slot",
    "quizzes.add_random_slot", "quizzes.preview_quiz", "quizzes.move", "quizzes.remove",
    "quizzes.archive", "quizzes.import_file", "exports.clinic", "exports.print_pdf",
    "lti.deep_link", "quizzes.gradebook_resend",
    # Accommodations, grade corrections, essays, images, practice and review (issues 15 and 17);
    # the removals come last so the edits find their rows.
    "quizzes.add_override", "quizzes.edit_override", "quizzes.add_group", "quizzes.edit_group",
    "quizzes.sync_lms_groups",
    "quizzes.import_accommodations", "quizzes.extra_attempt", "quizzes.override",
    "quizzes.override_remove", "quizzes.regrade_apply", "quizzes.grade_essay", "quizzes.images",
    "quizzes.change_image", "quizzes.practice_create", "quizzes.practice_check",
    "quizzes.review_start", "quizzes.review_check", "quizzes.review_weekly", "quizzes.reopen",
    "quizzes.remove_override", "quizzes.remove_group",
]
# Not course pages: the LTI endpoints and the demo platform (its form and its APIs).
OTHER_ENDPOINTS = ["lti.login", "lti.launch", "demo.start", "demo.token", "demo.line_items",
                   "demo.scores", "demo.deep_link_return", "demo.register_tool",
                   "demo.register_client"]
# Signing out ends the fuzzing browsers' sessions; tests/course/test_sessions.py covers it.
NOT_FUZZED = ["course.signed_out"]
# A valid print renders a PDF (about half a second on this machine): fewer examples.
FEWER = {"exports.print_pdf": 6}
CASES = [(e, r) for e in COURSE_ENDPOINTS for r in ("instructor", "learner")] + \
        [(e, "instructor") for e in OTHER_ENDPOINTS]


@pytest.fixture(scope="module")
def env(sec_app: Any, sec_register: Any, sec_platforms: Any) -> dict[str, Any]:
    """A seeded course, a deep-linking grant for the instructor, and every form of its pages."""
    platform = sec_register(issuer="https://one.test")
    services = platform_services(sec_platforms, sec_app)
    tenant = seed_course(sec_app, platform, "fuzz-course", "FZ")
    picker = deep_link_launch(tenant.instructor, platform, services, context="fuzz-course",
                              user="FZ-teacher").location
    base = f"/c/{tenant.cid}/quizzes/instructor/questions/new"
    type_pages = {f"{base}/{t}": tenant.instructor.get(f"{base}/{t}").get_data(as_text=True)
                  for t in REGISTRY}
    forms = harvest(sec_app, *(html_pages(visit(sec_app, who, tenant.values,
                                                ("exports.handout_pdf_quick",)))
                               for who in (tenant.instructor, tenant.learner)),
                    {picker: tenant.instructor.get(picker).get_data(as_text=True)},
                    {"/demo/": sec_app.test_client().get("/demo/").get_data(as_text=True)})
    for url, html in type_pages.items():
        forms[f"quizzes.create:{url.rsplit('/', 1)[1]}"] = harvest(sec_app, {url: html})[
            "quizzes.create"]
    clients = {"instructor": tenant.instructor, "learner": tenant.learner}
    tokens = {who: csrf_from(c.get(f"/c/{tenant.cid}/handouts/").get_data(as_text=True))
              for who, c in clients.items()}
    return {"tenant": tenant, "forms": forms, "clients": clients, "tokens": tokens}


def test_every_write_endpoint_is_fuzzed(sec_app):
    endpoints = {r.endpoint for r in rules(sec_app, WRITE_METHODS)}
    assert endpoints == set(COURSE_ENDPOINTS) | set(OTHER_ENDPOINTS) | set(NOT_FUZZED)


def test_every_endpoint_has_its_form(env):
    """The fuzz starts from real forms, so it gets past the first check of each view."""
    without_form = {"quizzes.submit", "quizzes.autosave", "quizzes.live_preview",
                    "quizzes.preview_quiz", "lti.login", "lti.launch", "demo.token",
                    "demo.line_items", "demo.scores", "demo.deep_link_return",
                    "demo.register_client",
                    # shown only once a score is overridden, a question with answers is edited,
                    # or (extra attempt) for a quiz with an attempt limit
                    "quizzes.override_remove", "quizzes.regrade_apply", "quizzes.extra_attempt"}
    missing = [e for e in COURSE_ENDPOINTS + OTHER_ENDPOINTS
               if e not in env["forms"] and e not in without_form]
    assert not missing, missing


def _form_for(env: dict[str, Any], endpoint: str, type_name: str) -> Any:
    """The form to start from: per question type for the editor endpoints."""
    if endpoint in ("quizzes.create", "quizzes.live_preview"):
        return env["forms"][f"quizzes.create:{type_name}"]
    if endpoint in ("quizzes.autosave",):
        return env["forms"].get("quizzes.attempt_save")
    return env["forms"].get(endpoint)


def check(resp: Any, what: str) -> None:
    """Never a server error; a refusal carries a message for the person."""
    assert resp.status_code < 500, (what, resp.status_code)
    if 400 <= resp.status_code < 500:
        assert has_message(resp), (what, resp.status_code, resp.get_data(as_text=True)[:3000])


@pytest.mark.parametrize("endpoint, role", CASES, ids=[f"{e}-{r}" for e, r in CASES])
def test_fuzzed_posts_never_fail_the_server(sec_app, env, endpoint, role):
    rule = next(r for r in rules(sec_app, WRITE_METHODS) if r.endpoint == endpoint)
    client, token = env["clients"][role], env["tokens"][role]
    values = env["tenant"].values

    @fuzz_settings(FEWER.get(endpoint))
    @given(data=st.data())
    def post(data: st.DataObject) -> None:
        """One damaged post of the endpoint's form."""
        type_name = data.draw(st.sampled_from(sorted(REGISTRY)), label="type")
        body = data.draw(form_data(_form_for(env, endpoint, type_name), token), label="body")
        accept = data.draw(st.sampled_from(["text/html", "application/json", "*/*"]))
        url = build(sec_app, rule, {**values, "type_name": type_name})
        headers = {"Accept": accept, "X-CSRFToken": token}
        if data.draw(st.integers(0, 4), label="as JSON") == 0:  # the same fields as a JSON body
            payload = data.draw(json_body(body), label="json")
            check(client.post(url, json=payload, headers=headers), f"{endpoint} {url} json")
        else:
            check(client.post(url, data=body, headers=headers), f"{endpoint} {url}")

    post()


@pytest.mark.parametrize("role", ["instructor", "learner"])
def test_a_file_in_place_of_any_field(sec_app, env, role):
    """Multipart posts put files where text is expected; every form field is tried once."""
    client, token = env["clients"][role], env["tokens"][role]
    failures, tried = [], set()
    for key, form in sorted(env["forms"].items()):
        endpoint, _, type_name = key.partition(":")
        rule = next(r for r in rules(sec_app, WRITE_METHODS) if r.endpoint == endpoint)
        if role == "learner" and "/instructor/" in rule.rule:
            continue  # a 403 before any field is read
        url = build(sec_app, rule, {**env["tenant"].values, "type_name": type_name or "mcq"})
        for name in form.names():
            if name == "csrf_token" or (endpoint, name) in tried:
                continue  # the question types share many field names: each is tried once
            tried.add((endpoint, name))
            data = MultiDict([p for p in form.baseline() if p[0] not in (name, "csrf_token")])
            data.add("csrf_token", token)
            data.add(name, (io.BytesIO(b"\x89PNG\r\n\x1a\n not text"), "x.png"))
            try:
                check(client.post(url, data=data), f"{endpoint} {name}")
            except Exception as exc:  # noqa: BLE001 - collect every crash, then fail once
                failures.append(f"{endpoint} [{name}]: {exc.__class__.__name__}: {exc}"[:300])
    assert not failures, "\n".join(failures)
