"""Security headers on every GET route, error pages included; no inline script in any page."""
from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import csrf_from
from tests.platform_services import deep_link_launch, platform_services
from tests.security.helpers import rules, visit
from tests.security.seed import Tenant, seed_course

APP_CONFIG = {"DEMO_PLATFORM": True}
# What `flask lti add-platform` registers below: issuers and their login (auth) URLs.
ORIGINS = {"https://one.test", "https://two.test", "https://canvas.test", "https://sso.canvas.test"}
REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin",
                     "strict-origin-when-cross-origin"}
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^<>]*\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


@pytest.fixture(scope="module")
def tenant(sec_app: Any, sec_register: Any, sec_platforms: Any) -> Tenant:
    """Three registrations (one with its login on another host) and a seeded course."""
    one = sec_register(issuer="https://one.test", client_id="tool-1")
    sec_register(issuer="https://two.test", client_id="tool-2")
    result = sec_app.test_cli_runner().invoke(args=[
        "lti", "add-platform", "--issuer", "https://canvas.test", "--client-id", "c-1",
        "--auth-url", "https://sso.canvas.test/auth", "--token-url", "https://sso.canvas.test/t",
        "--jwks-url", "https://sso.canvas.test/jwks", "--deployment-id", "d-1"])
    assert result.exit_code == 0, result.output
    platform_services(sec_platforms, sec_app)
    return seed_course(sec_app, one, "headers-course", "HD")


def directives(policy: str) -> dict[str, list[str]]:
    """A CSP header as {directive: [sources]}."""
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def header_problems(where: str, resp: Any) -> list[str]:
    """Everything wrong with one response's security headers and markup."""
    found = []
    csp = directives(resp.headers.get("Content-Security-Policy", ""))
    scripts = csp.get("script-src", csp.get("default-src"))
    if not scripts:
        found.append(f"{where}: no script-src or default-src in the CSP")
    elif {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(scripts):
        found.append(f"{where}: script-src allows {scripts}")
    if set(csp.get("frame-ancestors", [])) != {"'self'", *ORIGINS}:
        found.append(f"{where}: frame-ancestors {csp.get('frame-ancestors')}")
    if csp.get("object-src") != ["'none'"]:
        found.append(f"{where}: object-src {csp.get('object-src')}")
    if resp.headers.get("X-Content-Type-Options") != "nosniff":
        found.append(f"{where}: X-Content-Type-Options {resp.headers.get('X-Content-Type-Options')}")
    if resp.headers.get("Referrer-Policy") not in REFERRER_POLICIES:
        found.append(f"{where}: Referrer-Policy {resp.headers.get('Referrer-Policy')}")
    if resp.mimetype == "text/html":
        html = resp.get_data(as_text=True)
        for name, pattern in (("inline <script>", INLINE_SCRIPT), ("event handler", EVENT_HANDLER),
                              ("javascript: URL", JS_URL)):
            match = pattern.search(html)
            if match:
                found.append(f"{where}: {name} {match.group(0)[:80]!r}")
    return found


def test_every_get_route_as_instructor_and_learner(sec_app, tenant):
    problems: list[str] = []
    seen = 0
    for who, client in (("instructor", tenant.instructor), ("learner", tenant.learner)):
        for url, resp in visit(sec_app, client, tenant.values).items():
            seen += 1
            assert resp.status_code < 500, (url, resp.status_code)
            problems += header_problems(f"GET {url} as {who} ({resp.status_code})", resp)
    # /static/course/... is both the app's and the course blueprint's static route: one URL.
    assert seen >= 2 * (len(rules(sec_app, ["GET"])) - 1), seen
    assert not problems, "\n".join(problems)


def test_pages_reached_with_query_strings_and_error_pages(sec_app, tenant):
    cid, base = tenant.cid, f"/c/{tenant.cid}/quizzes/instructor"
    extra = [f"{base}/transfer/export?format=gift", f"{base}/transfer/export?format=qti",
             f"{base}/quizzes/{tenant.values['quiz_id']}/statistics?which=all",
             f"{base}/bank?q=x&type=mcq&archived=1", f"/c/{cid}/quizzes/attempts/0/",
             "/no/such/page", "/c/99999/", "/lti/launch", "/demo/auth?login_hint=x"]
    problems: list[str] = []
    for url in extra:
        resp = tenant.instructor.get(url)
        assert resp.status_code < 500, (url, resp.status_code)
        problems += header_problems(f"GET {url} ({resp.status_code})", resp)
    anonymous = sec_app.test_client().get(f"/c/{cid}/")
    problems += header_problems("anonymous course page", anonymous)
    assert anonymous.status_code == 401
    assert not problems, "\n".join(problems)


def test_posted_pages_and_the_deep_linking_reply(sec_app, tenant, sec_platforms):
    """Pages only reached by a POST: a refused form, the LTI error page and the signed reply."""
    problems: list[str] = []
    refused = tenant.instructor.post(f"/c/{tenant.cid}/handouts/clinic", data={})
    problems += header_problems("POST clinic without CSRF", refused)
    launch_error = sec_app.test_client().post("/lti/launch", data={"state": "x", "id_token": "y"})
    problems += header_problems("LTI launch error page", launch_error)
    browser = sec_app.test_client()
    services = platform_services(sec_platforms, sec_app)
    picker = deep_link_launch(browser, tenant.platform, services, context="dl-course",
                              user="HD-teacher").location
    page = browser.get(picker)
    problems += header_problems("deep-linking picker", page)
    reply = browser.post(picker, data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                       "item": ["quiz:quiz-weakness"], "action": "add"})
    assert reply.status_code == 200 and 'name="JWT"' in reply.get_data(as_text=True)
    problems += header_problems("deep-linking reply", reply)
    assert not problems, "\n".join(problems)
