"""Hostile numbers everywhere a number is read: every `<int:...>` route argument, every numeric
form field and every numeric query argument. Never a server error; ids out of range are a 404.

Huge ids overflowed SQLite (above 2^63) and PostgreSQL's INTEGER (above 2^31); a 400-digit
value overflowed WTForms' NumberRange; "²" passes str.isdigit() but not int().
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from flask import url_for
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter, Rule

from course.numbers import INT_MAX, IdConverter
from modules.loader import get_course
from quizzes.types import REGISTRY
from tests.conftest import csrf_from
from tests.security.helpers import (
    Form,
    build,
    endpoint_of,
    forms_in,
    has_message,
    html_pages,
    visit,
)
from tests.security.seed import seed_course

APP_CONFIG = {"DEMO_PLATFORM": True}

# Not ids: each must be a 404 in a URL, whatever the route.
PATH_VALUES = ["0", "-1", "1.5", "1e3", str(2 ** 31), str(2 ** 63), "9" * 23, "9" * 400,
               "9" * 5000, "\u0663", "\u00b2", "0x1"]
# Typed into numeric fields: a 4xx with a message, or accepted; never a 5xx.
FIELD_VALUES = ["9" * 400, "-9" + "9" * 400, str(2 ** 31), str(2 ** 63), "-1", "1.5", "-0.5",
                "1e400", "-1e400", "1e-999999999", "NaN", "inf", "sNaN", "\u00b2", "\u0663",
                "9" * 5000, "0x10", " 7 "]
_NUMERIC = re.compile(r"^([a-z]+:)?-?[0-9]+(\.[0-9]+)?$")
_ROW = re.compile(r"^([a-z_]+)-[0-9]+-")
SENTINEL = 7_654_321  # built into a URL, then replaced by the hostile text


def _int_args(rule: Rule) -> list[str]:
    """The rule's arguments that the `int` converter reads."""
    return [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]


def _numeric(form: Form) -> list[str]:
    """Names of the fields a person fills with a number (typed, picked or sent by a button)."""
    found = []
    for f in form.fields:
        values = [f.value] + f.options
        if f.name != "csrf_token" and (f.kind == "number" or any(_NUMERIC.match(v) for v in values if v)):
            found.append(f.name)
    return list(dict.fromkeys(found))


def _replace(value: str, hostile: str) -> str:
    """The hostile number in place of the number, keeping a prefix such as `q:`."""
    match = _NUMERIC.match(value or "")
    return (match.group(1) or "") + hostile if match else hostile


def _post_forms(app: Any, pages: dict[str, str]) -> dict[str, Form]:
    """Every distinct POST form of the pages that has a numeric field, by endpoint and fields."""
    found: dict[str, Form] = {}
    for url, html in pages.items():
        for form in forms_in(html):
            form.action = form.action or url
            endpoint = endpoint_of(app, form.action)
            if form.method == "POST" and endpoint and _numeric(form):
                found.setdefault(f"{endpoint} {' '.join(form.names())}", form)
    return found


@pytest.fixture(scope="module")
def env(sec_app: Any, sec_register: Any) -> dict[str, Any]:
    """A seeded course and every form its pages show to the instructor and the learner."""
    platform = sec_register(issuer="https://numbers.test")
    tenant = seed_course(sec_app, platform, "numbers-course", "NU")
    clients = {"instructor": tenant.instructor, "learner": tenant.learner}
    extra = [f"/c/{tenant.cid}/quizzes/instructor/questions/new/{t}" for t in REGISTRY] + [
        f"/c/{tenant.cid}/modules/{m.slug}/{s.slug}" for m in get_course().modules for s in m.sections]
    forms = {}
    for who, client in clients.items():
        pages = html_pages(visit(sec_app, client, tenant.values, ("exports.handout_pdf_quick",)))
        pages.update(html_pages({url: client.get(url) for url in extra}))
        forms[who] = _post_forms(sec_app, pages)
    tokens = {who: csrf_from(c.get(f"/c/{tenant.cid}/handouts/").get_data(as_text=True))
              for who, c in clients.items()}
    return {"tenant": tenant, "clients": clients, "forms": forms, "tokens": tokens}


def _send(client: Any, method: str, url: str, **kwargs: Any) -> Any:
    """The response, or the exception a server error would have been."""
    try:
        return client.open(url, method=method, **kwargs)
    except Exception as exc:  # noqa: BLE001 - TESTING propagates what would be a 500
        return exc


def test_every_int_rule_uses_the_bounded_converter(sec_app):
    """Registered before the blueprints, so the packages' rules get it too; url_for still builds."""
    ruled = [r for r in sec_app.url_map.iter_rules() if _int_args(r)]
    assert len(ruled) > 30 and {r.endpoint.split(".")[0] for r in ruled} >= {
        "course", "lti", "demo", "modules", "quizzes", "exports"}
    wrong = [r.rule for r in ruled for n in _int_args(r)
             if not isinstance(r._converters[n], IdConverter) or r._converters[n].max > INT_MAX]
    assert not wrong, wrong
    with sec_app.test_request_context():
        assert url_for("quizzes.review", cid=3, aid=INT_MAX) == f"/c/3/quizzes/attempts/{INT_MAX}/review"


def test_no_int_route_argument_serves_anything_but_ids(sec_app, env):
    """Every `<int:...>` of every rule, each hostile value, both roles, GET and POST: a 404."""
    tenant, failures = env["tenant"], []
    for rule in sorted((r for r in sec_app.url_map.iter_rules() if _int_args(r)), key=str):
        for arg in _int_args(rule):
            path = build(sec_app, rule, {**tenant.values, f"{rule.endpoint}.{arg}": SENTINEL})
            for value in PATH_VALUES:
                url = path.replace(str(SENTINEL), value, 1)
                for who, client in env["clients"].items():
                    for method in sorted({"GET", "POST"} & set(rule.methods or ())):
                        resp = _send(client, method, url, headers={"X-CSRFToken": env["tokens"][who]})
                        code = getattr(resp, "status_code", resp)
                        if code != 404:
                            failures.append(f"{method} {rule.rule} {arg}={value[:12]} as {who}: {code!r:.90}")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:60])


def test_no_numeric_field_fails_the_server(sec_app, env):
    """Each numeric field of each form (both roles) posted with each hostile value."""
    failures, tried = [], 0
    for who, forms in env["forms"].items():
        client, token = env["clients"][who], env["tokens"][who]
        for endpoint, form in sorted(forms.items()):
            for name in _numeric(form):
                for value in FIELD_VALUES:
                    data = MultiDict([(k, _replace(v, value) if k == name else v)
                                      for k, v in form.baseline() if k != "csrf_token"])
                    if name not in data:  # a button not pressed in the baseline
                        data.add(name, value)
                    data.add("csrf_token", token)
                    resp, tried = _send(client, "POST", form.action, data=data), tried + 1
                    code = getattr(resp, "status_code", 500)
                    if code >= 500 or (code >= 400 and not has_message(resp)):
                        failures.append(f"{endpoint.split()[0]} [{name}]={value[:12]} as {who}: "
                                        f"{resp!r:.120}")
    assert tried > 200
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:60])


@pytest.mark.parametrize("endpoint, arg", [("quizzes.attempt", "q"), ("quizzes.preview_quiz", "n")])
def test_numeric_query_arguments(sec_app, env, endpoint, arg):
    """?q= on an attempt page and ?n= in the quiz preview: a page or a clear 4xx."""
    tenant = env["tenant"]
    client = tenant.learner if endpoint == "quizzes.attempt" else tenant.instructor
    rule = next(r for r in sec_app.url_map.iter_rules() if r.endpoint == endpoint)
    url = build(sec_app, rule, tenant.values)
    for value in FIELD_VALUES:
        resp = _send(client, "GET", url, query_string={arg: value, "seed": "ab12cd34ef56ab78"})
        code = getattr(resp, "status_code", 500)
        assert code < 400 or (code < 500 and has_message(resp)), (value[:12], resp)


def test_row_indices_in_field_names(sec_app, env):
    """`options-²-text`: WTForms' FieldList took any str.isdigit() part as a row index."""
    client, token, failures = env["clients"]["instructor"], env["tokens"]["instructor"], []
    for t in sorted(REGISTRY):
        url = f"/c/{env['tenant'].cid}/quizzes/instructor/questions/new/{t}"
        form = next(f for f in forms_in(client.get(url).get_data(as_text=True)) if f.method == "POST")
        rows = {m.group(1) for n in form.names() if (m := _ROW.match(n))}
        for key in sorted(rows):
            for index in ("\u00b2", "\u0663", "9" * 5000, "9" * 12, "-1"):
                data = MultiDict(form.baseline() + [(f"{key}-{index}-text", "x")])
                data["csrf_token"] = token
                resp = _send(client, "POST", url, data=data)
                if getattr(resp, "status_code", 500) >= 500:
                    failures.append(f"{t} {key}-{index[:12]}: {resp!r:.120}")
    assert not failures, "\n".join(failures[:40])
