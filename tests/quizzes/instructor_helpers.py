"""Helpers for the instructor workspace tests: launches, CSRF posts and form data per type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask.testing import FlaskClient

from quizzes.authoring.form_convert import item_to_data
from quizzes.authoring.form_rows import SPECS
from quizzes.bank_loader import get_bank
from tests.conftest import csrf_from, launch_as

BASE = "/c/{cid}/quizzes/instructor"


def as_instructor(client: FlaskClient, platform: Any, context: str = "course-1", user: str = "teacher-1") -> int:
    """Launch as an instructor of a context; returns its cid."""
    return launch_as(client, platform, "instructor", user=user, context=context)


def as_learner(client: FlaskClient, platform: Any, context: str = "course-1", user: str = "learner-1") -> int:
    """Launch as a learner of a context; returns its cid."""
    return launch_as(client, platform, "learner", user=user, context=context)


def token(client: FlaskClient, cid: int) -> str:
    """A CSRF token for this browser session (from any page with a form)."""
    return csrf_from(client.get(f"{BASE.format(cid=cid)}/questions/new/mcq").get_data(as_text=True))


def post(client: FlaskClient, cid: int, path: str, data: Mapping[str, Any] | None = None, **kw: Any) -> Any:
    """POST to an instructor path with the CSRF token added."""
    body = {"csrf_token": token(client, cid), **(data or {})}
    return client.post(BASE.format(cid=cid) + path, data=body, **kw)


def flatten(type_name: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Nested editor data as the browser posts it: ``options-0-text`` and so on."""
    spec = SPECS[type_name]
    rows = {r.key for r in spec.rows}
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in rows:
            for i, entry in enumerate(value):
                for col, cell in entry.items():
                    if cell is True:
                        out[f"{key}-{i}-{col}"] = "y"
                    elif cell not in (False, None, ""):
                        out[f"{key}-{i}-{col}"] = cell
        elif value is True:
            out[key] = "y"
        elif value not in (False, None):
            out[key] = value
    return out


def sample_item(type_name: str) -> dict[str, Any]:
    """A shipped standalone item of a type (case-study items as a fallback)."""
    bank = get_bank()
    found = [i for k, i in bank.items.items() if i["type"] == type_name and bank.case_study_of(k) is None]
    found = found or [i for i in bank.items.values() if i["type"] == type_name]
    item = dict(found[0])
    item.pop("stage", None)
    return item


def form_data(item: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """The posted form for an item, with extra fields (category, tags, action...)."""
    data = item_to_data(SPECS[item["type"]], item)
    data.update(extra)
    return flatten(item["type"], data)
