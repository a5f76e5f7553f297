"""Structured logs and health checks of the gunicorn app servers: JSON lines with a request id."""
import json
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.slow

LOG_WAIT_SECONDS = 15.0


def entries(stack: Any, server: Any) -> list[dict[str, Any]]:
    """The server's log lines that parse as JSON objects."""
    found = []
    for line in stack.log_lines(server):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            found.append(value)
    return found


def wait_for_entry(stack: Any, server: Any, match: Callable[[dict[str, Any]], bool]
                   ) -> dict[str, Any]:
    """The first log entry that matches; gunicorn writes the access line after the response."""
    deadline = time.monotonic() + LOG_WAIT_SECONDS
    while True:
        hit = next((e for e in entries(stack, server) if match(e)), None)
        if hit is not None or time.monotonic() > deadline:
            assert hit is not None, f"no matching log line; log ends: {server.tail()}"
            return hit
        time.sleep(0.1)


def test_healthz_reports_database_and_cache_ok_on_both_servers(servers):
    for server in servers:
        resp = requests.get(server.base_url + "/healthz", timeout=30)
        assert resp.status_code == 200
        assert resp.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_request_id_from_the_proxy_is_echoed_and_in_the_access_line(stack, servers):
    for server in servers:
        rid = f"lb-{secrets.token_hex(8)}"
        resp = requests.get(server.base_url + "/healthz", headers={"X-Request-ID": rid},
                            timeout=30)
        assert resp.headers["X-Request-ID"] == rid
        line = wait_for_entry(stack, server, lambda e, rid=rid: e.get("request_id") == rid)
        assert line["logger"] == "gunicorn.access"
        assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
        assert line["level"] == "INFO" and isinstance(line["duration_ms"], float)


def test_a_request_without_an_id_gets_a_new_one_and_long_ids_are_cut(servers):
    a, b = servers
    first = requests.get(a.base_url + "/healthz", timeout=30).headers["X-Request-ID"]
    second = requests.get(b.base_url + "/healthz", timeout=30).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and re.fullmatch(r"[0-9a-f]{32}", second)
    assert first != second
    long_id = "x" * 200
    echoed = requests.get(a.base_url + "/healthz", headers={"X-Request-ID": long_id},
                          timeout=30).headers["X-Request-ID"]
    assert echoed == long_id[:64]


def test_app_log_lines_carry_the_request_id_of_their_request(stack, servers, browser):
    _, b = servers
    rid = f"lb-{secrets.token_hex(8)}"
    resp = browser.post(b, "/lti/launch", data={"id_token": "not-a-jwt", "state": "forged"},
                        headers={"X-Request-ID": rid, "Accept": "application/json"})
    assert resp.status_code == 400 and resp.headers["X-Request-ID"] == rid
    rejected = wait_for_entry(stack, b, lambda e: e.get("request_id") == rid
                              and e.get("logger") == "course.lti.views")
    assert rejected["msg"] == "lti launch rejected" and rejected["level"] == "WARNING"
    assert rejected["code"] == resp.json()["error"] and rejected["path"] == "/lti/launch"
    access = wait_for_entry(stack, b, lambda e: e.get("request_id") == rid
                            and e.get("logger") == "gunicorn.access")
    assert access["status"] == 400


def test_every_line_the_servers_write_is_a_json_object(stack, servers):
    for server in servers:
        requests.get(server.base_url + "/healthz", timeout=30)
        lines = stack.log_lines(server)
        parsed = entries(stack, server)
        assert len(parsed) == len(lines), [line for line in lines if not line.startswith("{")]
        assert {"gunicorn.error", "gunicorn.access"} <= {e["logger"] for e in parsed}
        assert all({"ts", "level", "logger", "msg"} <= set(e) for e in parsed)
