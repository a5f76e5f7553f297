"""Templates' remembered url_for (course/urls.py) gives exactly what url_for gives."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask, g, render_template_string, url_for

from course import urls
from course.cookieless import PARAM

CASES = [("course.home", {"cid": 7}), ("modules.index", {"cid": 7}),
         ("modules.index", {"cid": 8}), ("course.static", {"filename": "app.css"}),
         ("quizzes.static", {"filename": "quiz.js"}), ("quizzes.index", {"cid": 7, "page": 2})]
STATES = [({}, None), ({"cookieless": {"token": "tok-a", "cid": 7}}, 7),
          ({"cookieless": {"token": "tok-b", "cid": 7}}, 7), ({}, 8)]


def test_every_link_matches_url_for_in_every_state(app: Flask) -> None:
    # Each state twice, so the second pass is answered from the memo, not rebuilt.
    for _ in range(2):
        for state, course in STATES:
            for root in ("", "/mounted"):  # the app at / and behind a path prefix
                with app.test_request_context("/", base_url=f"http://localhost{root}/"):
                    for name, value in state.items():
                        setattr(g, name, value)
                    g.context = SimpleNamespace(id=course) if course else None
                    for endpoint, values in CASES:
                        assert urls.template_url_for(endpoint, **values) == url_for(
                            endpoint, **values), (state, course, root, endpoint)
    with app.test_request_context("/"):
        g.cookieless = {"token": "tok-a", "cid": 7}
        assert f"{PARAM}=tok-a" in urls.template_url_for("course.home", cid=7)
        assert PARAM not in urls.template_url_for("course.home", cid=8)


def test_a_remembered_link_is_not_built_again(app: Flask, monkeypatch: Any) -> None:
    built: list[str] = []
    real = urls.url_for
    monkeypatch.setattr(urls, "url_for", lambda e, **v: built.append(e) or real(e, **v))
    with app.test_request_context("/"):
        first = [urls.template_url_for("modules.index", cid=3) for _ in range(3)]
        lists = urls.template_url_for("modules.index", cid=3, tag=["a", "b"])  # unhashable
        anchored = urls.template_url_for("modules.index", cid=3, _anchor="top")
    assert first == [first[0]] * 3 and built.count("modules.index") == 3, built
    assert "tag=a" in lists and anchored.endswith("#top")


def test_templates_use_it(app: Flask) -> None:
    with app.test_request_context("/"):
        assert render_template_string("{{ url_for('course.home', cid=5) }}") == "/c/5/"
    app.config["SERVER_NAME"] = "tool.example"
    with app.app_context():  # a page built outside a request (a command) is built as usual
        assert render_template_string("{{ url_for('course.home', cid=5) }}").endswith("/c/5/")
    assert app.jinja_env.globals["url_for"] is urls.template_url_for


def test_a_url_hook_the_key_does_not_cover_stops_start_up() -> None:
    other = Flask(__name__)
    other.url_defaults(lambda endpoint, values: None)
    with pytest.raises(RuntimeError, match="<lambda>"):
        urls.register(other)
