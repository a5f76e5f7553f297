"""url_for for templates, remembered: a page's links are the same for every request of a course.

The course home builds about 30 links, and each url_for cost about 6 µs (building the rule and
running the URL hooks), about a twentieth of the page (docs/performance.md). A link depends
only on its endpoint and values, the mount point (script root) and what the app's URL hooks add:
the cookieless token of the course it points into (course/cookieless.py) and the current course
for the quizzes' static files (quizzes/blueprint.py). The memo key holds all of them, and a link
with anything else (relative endpoints, _external, _anchor, lists) is built as usual.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask.globals import _cv_app, _cv_request

MAX_LINKS = 4096  # per app: links of every course, role and cookieless session in use
HOOKS_COVERED = {"_add_token", "_static_cid"}  # the URL hooks the key accounts for


def template_url_for(endpoint: str, **values: Any) -> str:
    """url_for, remembered per app for links whose key says everything that shapes them."""
    # Flask's own context variables, read once each: going through the g, request and
    # current_app proxies cost four proxy lookups per link, 120 on the course home (issue 18).
    request_ctx = _cv_request.get(None)
    if endpoint[0] == "." or any(name[0] == "_" for name in values) or request_ctx is None:
        return url_for(endpoint, **values)  # relative, special, or a page built outside a request
    app_ctx = _cv_app.get()
    found_in_g = app_ctx.g.__dict__
    token = (found_in_g.get("cookieless") or {}).get("token")
    context = found_in_g.get("context")
    try:
        key = (endpoint, *sorted(values.items()), request_ctx.request.script_root, token,
               context.id if context is not None else None)
        memo: dict[tuple[Any, ...], str] = app_ctx.app.extensions["template_links"]
        found = memo.get(key)
    except TypeError:  # an unhashable value (a list for a repeated query parameter)
        return url_for(endpoint, **values)
    if found is None:
        found = url_for(endpoint, **values)
        if len(memo) >= MAX_LINKS:
            memo.clear()
        memo[key] = found
    return found


def url_hooks(app: Flask) -> set[str]:
    """The names of every URL-defaults hook of the app and its blueprints."""
    return {fn.__name__ for hooks in app.url_default_functions.values() for fn in hooks}


def register(app: Flask) -> None:
    """Templates' url_for becomes the remembered one (after every blueprint and URL hook)."""
    unknown = url_hooks(app) - HOOKS_COVERED
    if unknown:  # a new hook shapes links in a way the key does not hold
        raise RuntimeError(f"course/urls.py does not know the URL hooks {sorted(unknown)}")
    app.extensions["template_links"] = {}
    app.jinja_env.globals["url_for"] = template_url_for
