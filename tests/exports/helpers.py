"""Helpers for handout tests: a small valid handout in a temporary folder, and PDF tools."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
from typing import Any

import yaml

from exports.content import HANDOUT_DIR, SHARED_FILE

VALID: dict[str, Any] = {
    "slug": "sample-topic",
    "title": "A sample topic",
    "main_message": "Move a little every day. It helps your muscles.",
    "written": "2026-01-10",
    "reviewed": "2026-02-10",
    "disclaimer": "standard",
    "sections": [
        {"heading": "Why it matters", "text": "Short walks help. Rest when you need to."},
        {"heading": "Things to try", "do": ["Walk for a few minutes.", "Sit down to rest."]},
    ],
    "call_team": ["You feel much weaker than usual."],
    "emergency": ["You cannot breathe well."],
    "sources": ["Example source, 2020."],
}


def write_handouts(folder: pathlib.Path, *handouts: dict[str, Any]) -> pathlib.Path:
    """Write the shared file and the given handouts (each a dict) as YAML into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(HANDOUT_DIR / SHARED_FILE, folder / SHARED_FILE)
    for data in handouts:
        (folder / f"{data['slug']}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


def variant(**changes: Any) -> dict[str, Any]:
    """A deep copy of VALID with top-level fields replaced; a value of None removes the field."""
    data = yaml.safe_load(yaml.safe_dump(VALID))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def run(*args: str | pathlib.Path) -> str:
    """Run a poppler tool and return its standard output."""
    return subprocess.run([str(a) for a in args], check=True, capture_output=True,
                          text=True).stdout


def pdfinfo(path: pathlib.Path) -> dict[str, str]:
    """pdfinfo's report as a dict."""
    lines = run("pdfinfo", path).splitlines()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


def pdf_text(path: pathlib.Path, first: int | None = None, last: int | None = None) -> str:
    """Plain text of a PDF (optionally a page range), whitespace collapsed."""
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return " ".join(run("pdftotext", *pages, path, "-").split())
