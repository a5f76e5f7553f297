"""Tenant isolation on every course route: two platforms, two contexts each, one seeded victim.

For every rule with a <cid> in the url_map, people launched elsewhere (same platform other
course; other platform, even with the same context id) request it with the victim's ids:
  1. in the victim's course          -> 401 (they never launched there);
  2. in their own course             -> 401/403/404 when any id is the victim's;
  3. in their own course, their own ids with one id swapped for the victim's -> 401/403/404.
POSTs carry the attacker's valid CSRF token and the victim's own form data. No response ever
contains the victim's marker texts, nothing is a 5xx, and the victim's rows never change.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.conftest import csrf_from, launch_as
from tests.security.helpers import build, harvest, html_pages, owned_snapshot, rules, visit
from tests.security.seed import Tenant, seed_course

# Path parameters whose values name one tenant's rows (the rest are shipped content or files).
OWNED_PARAMS = ("aid", "uid", "qid", "quiz_id", "slot_id", "quizzes.slug")
NOT_SWEPT_FOR_FORMS = ("exports.handout_pdf_quick",)  # a PDF, no forms to harvest
# The victim's rows the sweep watches: it must really have some in each of these.
SEEDED_TABLES = ("context", "lti_user", "membership", "quiz", "quiz_slot", "quiz_question",
                 "quiz_question_version", "quiz_attempt", "quiz_response", "quiz_score_outbox",
                 "module_progress", "module_section_view", "module_item_answer", "clinic_profile")


@pytest.fixture(scope="module")
def world(sec_app: Any, sec_register: Any) -> dict[str, Any]:
    """Platform one: victim + other course. Platform two: same context id + another course."""
    one = sec_register(issuer="https://one.test", client_id="tool-1", deployment_id="dep-1")
    two = sec_register(issuer="https://two.test", client_id="tool-2", deployment_id="dep-2")
    victim = seed_course(sec_app, one, "shared-ctx", "VQ")
    near = seed_course(sec_app, one, "other-ctx", "NB")     # same platform, other course
    far = seed_course(sec_app, two, "shared-ctx", "FR")     # other platform, same context id
    lone = sec_app.test_client()                            # other platform, other course
    lone_cid = launch_as(lone, two, "learner", user="lone", context="p2-other")
    forms = harvest(sec_app, *(html_pages(visit(sec_app, who, victim.values, NOT_SWEPT_FOR_FORMS))
                               for who in (victim.instructor, victim.learner)))
    attackers = [("near instructor", near.instructor, near), ("near learner", near.learner, near),
                 ("far instructor", far.instructor, far), ("far learner", far.learner, far),
                 ("lone learner", lone, {"cid": lone_cid})]
    return {"victim": victim, "attackers": attackers, "forms": forms}


def _owned(rule: Any) -> list[str]:
    """The tenant-owned parameter keys a rule takes (as keys of Tenant.values)."""
    found = []
    for name in rule.arguments:
        key = f"quizzes.{name}" if rule.endpoint.startswith("quizzes.") and name == "slug" \
            else name
        if key in OWNED_PARAMS:
            found.append(key)
    return found


def _variants(rule: Any, victim: Tenant, own: Any) -> list[tuple[str, dict[str, Any], set[int]]]:
    """(label, values, allowed statuses) for one attacker and rule."""
    own_values = own.values if isinstance(own, Tenant) else own
    owned = _owned(rule)
    # The packages' static files sit under the course prefix but are the same for everyone.
    public = rule.endpoint.endswith(".static")
    out = [("victim's course", victim.values, set() if public else {401}),
           ("own course, victim's ids", {**victim.values, "cid": own_values["cid"]},
            {401, 403, 404} if owned else set())]
    if isinstance(own, Tenant):
        for key in owned:
            mixed = {**own.values, key: victim.values[key]}
            for specific in (f"quizzes.{rule.endpoint.split('.')[-1]}.{key}",):
                mixed.pop(specific, None)
            out.append((f"own course, victim's {key}", mixed, {401, 403, 404}))
    return out


def _body(world: dict[str, Any], rule: Any, token: str) -> dict[str, Any]:
    """The victim's own form for this endpoint (with its ids), under the attacker's token.

    Marker texts in it are replaced, or an attacker saving them into their own course (a
    legitimate write) would look like a leak later.
    """
    form = world["forms"].get(rule.endpoint)
    markers = world["victim"].markers
    data: dict[str, Any] = {}
    for name, value in (form.baseline() if form else []):
        data.setdefault(name, "attacker text" if any(m in value for m in markers) else value)
    data["csrf_token"] = token
    return data


def _tokens(attackers: list[tuple[str, Any, Any]]) -> dict[str, str]:
    """Each attacker's CSRF token from their own course."""
    out = {}
    for label, client, own in attackers:
        cid = own.cid if isinstance(own, Tenant) else own["cid"]
        out[label] = csrf_from(client.get(f"/c/{cid}/handouts/").get_data(as_text=True))
    return out


def test_every_course_route_is_closed_to_other_tenants(sec_app, world):
    victim: Tenant = world["victim"]
    tokens = _tokens(world["attackers"])
    seeded = owned_snapshot(sec_app, victim.owned)
    assert all(seeded.get(t) for t in SEEDED_TABLES), {t: len(seeded.get(t, ())) for t in
                                                         SEEDED_TABLES}
    course_rules = [r for r in rules(sec_app, ["GET", "POST"]) if "cid" in r.arguments]
    assert len(course_rules) >= 40, len(course_rules)
    problems: list[str] = []
    statuses: Counter[int] = Counter()
    for rule in course_rules:
        before = owned_snapshot(sec_app, victim.owned)
        for label, client, own in world["attackers"]:
            for variant, values, allowed in _variants(rule, victim, own):
                url = build(sec_app, rule, values)
                for method in sorted({"GET", "POST"} & set(rule.methods)):
                    data = _body(world, rule, tokens[label]) if method == "POST" else None
                    resp = client.open(url, method=method, data=data)
                    where = f"{method} {url} ({rule.endpoint}) by {label}, {variant}"
                    body = resp.get_data()
                    statuses[resp.status_code] += 1
                    if resp.status_code >= 500 or (allowed and resp.status_code not in allowed):
                        problems.append(f"{where}: {resp.status_code}")
                    leaked = [m for m in victim.markers if m.encode() in body]
                    if leaked:
                        problems.append(f"{where}: shows {leaked}")
        if owned_snapshot(sec_app, victim.owned) != before:
            problems.append(f"{rule.endpoint}: the victim's rows changed")
    assert not problems, "\n".join(problems)
    # The sweep reached the ownership checks, not only the launch check.
    assert statuses[404] > 50 and statuses[403] > 50 and statuses[401] > 200, statuses


def test_ids_in_form_bodies_are_checked_too(sec_app, world):
    """An instructor cannot put another course's question into their own quiz."""
    victim: Tenant = world["victim"]
    label, client, near = world["attackers"][0]
    base = f"/c/{near.cid}/quizzes/instructor/quizzes/{near.values['quiz_id']}"
    token = csrf_from(client.get(base).get_data(as_text=True))
    before = owned_snapshot(sec_app, victim.owned)
    resp = client.post(f"{base}/slots/question",
                       data={"csrf_token": token, "question": f"q:{victim.values['qid']}"})
    assert resp.status_code == 400, (label, resp.status_code)
    pages = client.get(base).get_data(as_text=True) + client.get(
        f"{base}/preview", follow_redirects=True).get_data(as_text=True)
    assert not [m for m in victim.markers if m in pages]
    assert owned_snapshot(sec_app, victim.owned) == before


def test_the_victims_own_people_still_see_their_data(sec_app, world):
    """Control: the markers are really on the victim's pages, so their absence above means something."""
    victim: Tenant = world["victim"]
    cid = victim.cid
    seen = (victim.instructor.get(f"/c/{cid}/quizzes/instructor/gradebook").get_data(as_text=True)
            + victim.instructor.get(f"/c/{cid}/quizzes/instructor/bank").get_data(as_text=True)
            + victim.instructor.get(f"/c/{cid}/quizzes/").get_data(as_text=True)
            + victim.instructor.get(f"/c/{cid}/handouts/").get_data(as_text=True))
    assert all(m in seen for m in victim.markers), [m for m in victim.markers if m not in seen]


def test_a_learner_here_is_not_an_instructor_there(sec_app, world):
    """One person: learner in the victim course, instructor in another; roles stay per course."""
    victim: Tenant = world["victim"]
    launch_as(victim.learner, victim.platform, "instructor", user="VQ-learner", context="mine")
    for rule in rules(sec_app, ["GET"]):
        if "/instructor/" in rule.rule and "cid" in rule.arguments:
            resp = victim.learner.get(build(sec_app, rule, victim.values))
            assert resp.status_code == 403, (rule.endpoint, resp.status_code)
