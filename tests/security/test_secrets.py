"""No secret in the repository or the logs, and uploads are size-limited.

The repository scan reads every file `git ls-files` lists. Nothing is allow-listed: the keys the
tests and the demo platform use are generated at run time (tests.platform.new_private_key, the
instance folder). The patterns are assembled from pieces so this file does not match itself.
"""
from __future__ import annotations

import io
import logging
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from course.db import db
from course.models import ToolKey
from tests.conftest import csrf_from
from tests.platform import LEARNER, new_private_key
from tests.platform_services import launch_with_services, platform_services
from tests.quizzes.scores.test_grade_passback import take_quiz
from tests.security.helpers import (
    WRITE_METHODS,
    build,
    changed_tables,
    has_message,
    rules,
    snapshot,
)
from tests.security.seed import STATIC_FILES

ROOT = Path(__file__).resolve().parents[2]
BEGIN, KEY = "-----BEGIN ", "PRIVATE KEY-----"
SECRET_PATTERNS = {
    "PEM private key": re.compile(re.escape(BEGIN) + r"(?:[A-Z0-9]+ )*" + re.escape(KEY)),
    "SECRET_KEY literal": re.compile(r"SECRET_KEY\s*=\s*[bfru]?['\"][^'\"\s]{6,}['\"]"),
    "SECRET_KEY in an env file": re.compile(r"(?m)^\s*(?:export\s+)?SECRET_KEY=(?!\.\.\.)\S{6,}"),
    "AWS access key id": re.compile(r"\b(?:AK" + r"IA|AS" + r"IA)[0-9A-Z]{16}\b"),
    "AWS secret key": re.compile(r"(?i)aws_secret_access_key\s*[=:]\s*\S{20,}"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "private JWK": re.compile(r'"d"\s*:\s*"[A-Za-z0-9_\-]{40,}"'),
    # user:password@host, unless the password is a placeholder such as PASSWORD or ${DB_PASS}
    "password in a URL": re.compile(r"\b[a-z][a-z0-9+]*://[^/\s:@'\"{}]+:(?!(?:PASSWORD|password"
                                    r"|\.\.\.|\*+|<[^>]*>|\$\{?[A-Za-z_]+\}?)@)"
                                    r"[^/\s@'\"{}]{3,}@"),
}
SECRET_FILES = re.compile(r"(^|/)(\.env(\..*)?|id_rsa|id_ed25519|secret_key|[^/]*\.(pem|key|p12))$")
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")


def tracked_files() -> list[str]:
    """Every file in the repository index."""
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    return [name for name in out.stdout.decode().split("\0") if name]


def secrets_in(text: str) -> list[str]:
    """Names of the secret patterns found in a text."""
    return [name for name, pattern in SECRET_PATTERNS.items() if pattern.search(text)]


def test_the_scanner_finds_secrets():
    """The patterns catch real-looking secrets made at run time, so a clean scan means something."""
    samples = [new_private_key(), 'SECRET_KEY = "' + "k" * 20 + '"', "SECRET_KEY=" + "v" * 20,
               "AK" + "IA" + "ABCDEFGHIJKLMNOP", "postgresql://app:" + "hunter2@db/x",
               '{"kty": "RSA", "d": "' + "a" * 50 + '"}']
    placeholders = ["SECRET_KEY=...  # python3 -c 'import secrets; print(...)'",
                    "DATABASE_URL=postgresql://msc:PASSWORD@db.internal:5432/msc"]
    assert all(secrets_in(sample) for sample in samples)
    assert not [secrets_in(p) for p in placeholders if secrets_in(p)]


def test_no_secret_is_committed():
    files = tracked_files()
    assert len(files) > 100, "not a git checkout?"
    found = [name for name in files if SECRET_FILES.search(name)]
    for name in files:
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        hits = secrets_in(path.read_bytes().decode("utf-8", "ignore"))
        found += [f"{name}: {hit}" for hit in hits]
    assert not found, found


@pytest.fixture(scope="module")
def env(sec_app: Any, sec_register: Any, sec_platforms: Any) -> dict[str, Any]:
    """A platform with LTI Advantage services (token, AGS) for the module."""
    platform = sec_register(issuer="https://one.test")
    return {"platform": platform, "services": platform_services(sec_platforms, sec_app)}


def test_logs_of_a_launch_and_a_score_hold_no_credential(sec_app, env, caplog):
    platform, services = env["platform"], env["services"]
    client = sec_app.test_client()
    caplog.set_level(logging.DEBUG)
    start = client.get(platform.login_url("learner-1"))
    form = platform.authorize(start.location, "learner-1", [LEARNER], "course-1",
                              extra=services.claims(platform, "course-1"))
    assert client.post(form["url"], data={"id_token": form["id_token"],
                                          "state": form["state"]}).status_code == 302
    client.post(form["url"], data={"id_token": form["id_token"], "state": form["state"]})  # replay
    client.post("/lti/launch", data={"id_token": form["id_token"][:-5], "state": "x"})
    cid = launch_with_services(client, platform, services, "learner")
    take_quiz(sec_app, client, cid)
    result = sec_app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0 and len(services.scores) == 1, result.output
    assert services.valid_tokens, "no access token was issued, so nothing was checked"
    with sec_app.app_context():
        tool_keys = [k.private_pem for k in db.session.scalars(select(ToolKey))]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__!r}" for r in caplog.records) + result.output
    secrets = {"id_token": [form["id_token"]], "access token": list(services.valid_tokens),
               "private key": tool_keys + [platform.private_key],
               "secret key": [sec_app.config["SECRET_KEY"]]}
    leaked = [kind for kind, values in secrets.items() if any(v in logged for v in values)]
    assert not leaked and not JWT.search(logged) and BEGIN not in logged, leaked
    # Empty when an earlier test disabled the app's loggers (logging.config with
    # disable_existing_loggers, as migrations/env.py once did): then nothing was checked.
    views = logging.getLogger("course.lti.views")
    assert caplog.records, ("nothing was logged", {"disabled": views.disabled,
                                                   "propagate": views.propagate})


def _oversized(limit: int, as_file: bool) -> dict[str, Any]:
    """A body one byte over the limit, as an upload or as a plain field."""
    big = b"x" * (limit + 1)
    return {"file": (io.BytesIO(big), "big.txt"), "logo": (io.BytesIO(big), "big.png")} \
        if as_file else {"notes": big.decode()}


@pytest.mark.parametrize("as_file", [True, False], ids=["upload", "field"])
def test_every_post_over_the_limit_is_a_413_that_changes_nothing(sec_app, env, as_file):
    client = sec_app.test_client()
    cid = launch_with_services(client, env["platform"], env["services"], "instructor",
                               user="teacher-413")
    token = csrf_from(client.get(f"/c/{cid}/handouts/").get_data(as_text=True))
    values = {"cid": cid, "quizzes.slug": "x", "exports.slug": "x", "module": "x", "section": "x",
              "item_id": "x", "aid": 1, "uid": 1, "qid": 1, "type_name": "mcq", "quiz_id": 1,
              "slot_id": 1, "course": "x", "oid": 1, "gid": 1, "image_id": 1, "sid": 1, "pid": 1,
              **STATIC_FILES}
    limit = sec_app.config["MAX_CONTENT_LENGTH"]
    before, problems = snapshot(sec_app), []
    for rule in rules(sec_app, WRITE_METHODS):
        url = build(sec_app, rule, values)
        resp = client.post(url, data={"csrf_token": token, **_oversized(limit, as_file)},
                           headers={"X-CSRFToken": token})
        if resp.status_code != 413 or not has_message(resp):
            problems.append(f"{rule.endpoint}: {resp.status_code}")
    assert not problems, problems
    assert not changed_tables(before, snapshot(sec_app))
