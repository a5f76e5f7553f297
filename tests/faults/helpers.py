"""Assertions and steps shared by the fault tests."""
from __future__ import annotations

import re
from typing import Any

from tests.conftest import csrf_from


def assert_clean_error(resp: Any, status: int, *phrases: str) -> str:
    """The response is an error page with this status, its phrases, and no stack trace."""
    body = resp.get_data(as_text=True)
    assert resp.status_code == status, (resp.status_code, body[:2000])
    assert "Traceback" not in body and 'File "' not in body, body[:2000]
    for phrase in phrases:
        assert phrase in body, (phrase, body[:2000])
    return body


def start_attempt(client: Any, cid: int, slug: str) -> tuple[str, str]:
    """Start (or resume) an attempt through the quiz page; returns (attempt URL, CSRF token)."""
    page = client.get(f"/c/{cid}/quizzes/{slug}/")
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    resp = client.post(f"/c/{cid}/quizzes/{slug}/start",
                       data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    url = resp.location
    token = csrf_from(client.get(url).get_data(as_text=True))
    return url, token


def attempt_id(url: str) -> int:
    """The attempt id in an attempt URL."""
    match = re.search(r"/attempts/(\d+)/", url)
    assert match, url
    return int(match.group(1))


def submit(client: Any, url: str, token: str) -> Any:
    """Press Submit on an attempt."""
    return client.post(url + "submit", data={"csrf_token": token})
