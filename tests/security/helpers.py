"""Shared tools for the security suite: the app's routes, the forms in its pages, database snapshots."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlparse

from flask import Flask
from sqlalchemy import Integer, or_, select
from werkzeug.routing import Rule

from course.db import db

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
CSRF_MESSAGE = "did not come from this site"


# --- routes -----------------------------------------------------------------------------------

def rules(app: Flask, methods: Iterable[str]) -> list[Rule]:
    """Every URL rule accepting one of the methods, in a stable order."""
    wanted = set(methods)
    found = [r for r in app.url_map.iter_rules() if wanted & set(r.methods or ())]
    return sorted(found, key=lambda r: (r.rule, r.endpoint))


def build(app: Flask, rule: Rule, values: dict[str, Any]) -> str:
    """The path of a rule, arguments from `values`: `endpoint.arg`, then `blueprint.arg`, then `arg`.

    A rule with an argument nobody knows how to fill fails the test: new routes must be added
    to the sweeps on purpose.
    """
    args = {}
    blueprint = rule.endpoint.rpartition(".")[0]
    for name in rule.arguments:
        keys = [f"{rule.endpoint}.{name}", f"{blueprint}.{name}", name]
        key = next((k for k in keys if k in values), None)
        if key is None:
            raise AssertionError(f"route {rule.rule} ({rule.endpoint}) has a parameter <{name}> "
                                 "the security sweep cannot fill: add it to the sweep's values")
        args[name] = values[key]
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, args, force_external=False)


def endpoint_of(app: Flask, url: str, method: str = "POST") -> str | None:
    """The endpoint a URL (as found in a form's action) routes to, or None."""
    path = urlparse(url).path
    try:
        endpoint, _ = app.url_map.bind("localhost").match(path, method=method)
    except Exception:  # noqa: BLE001 - a 404/405 from routing just means "not ours"
        return None
    return endpoint


def visit(app: Flask, client: Any, values: dict[str, Any], skip: Iterable[str] = (),
          only: Any = None) -> dict[str, Any]:
    """GET every GET route (those `only` accepts) as this browser: {url: response}."""
    seen = {}
    for rule in rules(app, ["GET"]):
        if rule.endpoint in skip or (only is not None and not only(rule)):
            continue
        url = build(app, rule, values)
        seen[url] = client.get(url)
    return seen


def html_pages(responses: dict[str, Any]) -> dict[str, str]:
    """The HTML bodies among responses."""
    return {url: r.get_data(as_text=True) for url, r in responses.items()
            if r.mimetype == "text/html"}


# --- forms in pages ---------------------------------------------------------------------------

@dataclass
class Field:
    """One control of a form as a browser would submit it."""

    name: str
    kind: str
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    """A <form>: where it posts, how, and its controls."""

    action: str
    method: str
    enctype: str
    fields: list[Field] = field(default_factory=list)

    def names(self) -> list[str]:
        """Distinct control names in page order."""
        return list(dict.fromkeys(f.name for f in self.fields))

    def choices(self) -> list[str]:
        """Every value the form offers: checkbox, radio and option values."""
        found = [f.value for f in self.fields if f.kind in ("checkbox", "radio")]
        return [v for v in found + [o for f in self.fields for o in f.options] if v]

    def file_fields(self) -> list[str]:
        """Names of the file inputs."""
        return [f.name for f in self.fields if f.kind == "file"]

    def baseline(self) -> list[tuple[str, str]]:
        """What a browser submits when the first submit button is pressed with the defaults."""
        out: list[tuple[str, str]] = []
        radios: set[str] = set()
        pressed = False
        for f in self.fields:
            if f.kind in ("checkbox",) and f.checked:
                out.append((f.name, f.value or "on"))
            elif f.kind == "radio":
                group = [g for g in self.fields if g.kind == "radio" and g.name == f.name]
                chosen = next((g for g in group if g.checked), group[0])
                if f.name not in radios:
                    radios.add(f.name)
                    out.append((f.name, chosen.value))
            elif f.kind == "select":
                if f.options:
                    out.append((f.name, f.value if f.value in f.options else f.options[0]))
            elif f.kind in ("submit", "button-submit"):
                if not pressed:
                    pressed = True
                    out.append((f.name, f.value))
            elif f.kind not in ("file", "checkbox", "reset", "button", "image"):
                out.append((f.name, f.value))
        return out


class _FormParser(HTMLParser):
    """Collect every form and its named controls (inputs, selects, textareas, buttons)."""

    def __init__(self) -> None:
        """Start with no forms."""
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open forms and record controls."""
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").upper(),
                              a.get("enctype", ""))
            self.forms.append(self._form)
        elif self._form is None or (tag != "option" and not a.get("name")):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            self._form.fields.append(Field(a["name"], kind, a.get("value", ""), "checked" in a))
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self._form.fields.append(Field(a["name"], "button-submit", a.get("value", "")))
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._form.fields.append(self._textarea)

    def handle_endtag(self, tag: str) -> None:
        """Close forms, selects and textareas."""
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        """Textarea contents are their value."""
        if self._textarea is not None:
            self._textarea.value += data


def forms_in(html: str) -> list[Form]:
    """Every form of a page."""
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def harvest(app: Flask, *page_sets: dict[str, str]) -> dict[str, Form]:
    """The first form posting to each endpoint, from sets of pages {url: html}."""
    found: dict[str, Form] = {}
    for url, html in (pair for pages in page_sets for pair in pages.items()):
        for form in forms_in(html):
            if form.method != "POST":
                continue
            endpoint = endpoint_of(app, form.action or url)
            if endpoint and endpoint not in found:
                found[endpoint] = form
    return found


# --- messages ---------------------------------------------------------------------------------

_TAGS = re.compile(r"<[^>]+>")


def has_message(resp: Any) -> bool:
    """A refusal that tells the person what went wrong: an alert in HTML or a message in JSON."""
    if resp.is_json:
        body = resp.get_json(silent=True) or {}
        return any(body.get(k) for k in ("message", "error", "problems"))
    html = resp.get_data(as_text=True)
    visible = _TAGS.sub(" ", html)
    flagged = any(mark in html for mark in ('role="alert"', "aria-invalid", 'class="field-error"',
                                            "notice-error"))
    return flagged and len(visible.split()) > 5


# --- database snapshots -----------------------------------------------------------------------

def snapshot(app: Flask) -> dict[str, set[tuple]]:
    """Every row of every table, as tuples of reprs (so JSON and bytes compare)."""
    out: dict[str, set[tuple]] = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(select(table)).all()
            out[table.name] = {tuple(repr(v) for v in row) for row in rows}
        db.session.remove()
    return out


def changed_tables(before: dict[str, set[tuple]], after: dict[str, set[tuple]]) -> dict[str, Any]:
    """Tables whose rows differ, with the rows removed and added."""
    diff = {}
    for name in sorted(set(before) | set(after)):
        gone, new = before.get(name, set()) - after.get(name, set()), \
            after.get(name, set()) - before.get(name, set())
        if gone or new:
            diff[name] = {"removed": sorted(gone)[:3], "added": sorted(new)[:3]}
    return diff


# Columns that name a tenant-owned row without a foreign key (ClinicProfile.context_id).
BY_NAME = {"context_id": "context", "user_id": "lti_user", "quiz_id": "quiz",
           "question_id": "quiz_question", "attempt_id": "quiz_attempt"}


def owned_snapshot(app: Flask, owned: dict[str, set[int]]) -> dict[str, set[tuple]]:
    """The rows a tenant owns: its own rows in `owned` tables and every row pointing at one."""
    out: dict[str, set[tuple]] = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            refs = []
            for col in table.columns:
                target = next((fk.column.table.name for fk in col.foreign_keys), None)
                if target is None and isinstance(col.type, Integer):
                    target = BY_NAME.get(col.name)  # Context.context_id is the LTI string id
                if col.primary_key and table.name in owned:
                    target = table.name
                if target in owned:
                    refs.append(col.in_(owned[target]))
            if refs:
                rows = db.session.execute(select(table).where(or_(*refs))).all()
                out[table.name] = {tuple(repr(v) for v in row) for row in rows}
        db.session.remove()
    return out
