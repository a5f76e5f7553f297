"""Bulk build: write one handout PDF per topic into a folder, reporting progress per file."""

from __future__ import annotations

import pathlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from exports.content import Handout, get_handout, get_handouts
from exports.languages import choice_langs
from exports.render import render_pdf


@dataclass(frozen=True)
class BuildResult:
    """One written PDF: which topic, where it went, how big it is and how long it took."""

    slug: str
    path: pathlib.Path
    size: int
    seconds: float


def progress_line(index: int, total: int, result: BuildResult) -> str:
    """A progress line such as '[2/6] spasticity-and-spasms.pdf  48 KB  0.9 s'."""
    kilobytes = max(1, round(result.size / 1024))
    return f"[{index}/{total}] {result.path.name}  {kilobytes} KB  {result.seconds:.1f} s"


def build_handouts(slugs: list[str], out_dir: pathlib.Path, clinic: Mapping[str, Any],
                   paper: str = "letter", large_print: bool = False,
                   progress: Callable[[str], None] | None = None,
                   handouts: tuple[Handout, ...] | None = None,
                   lang: str = "en") -> list[BuildResult]:
    """Render each slug to out_dir/<slug>.pdf (<slug>.es.pdf, <slug>.en-es.pdf for other
    languages); unknown slugs fail before anything is written."""
    langs = choice_langs(lang)
    library = handouts if handouts is not None else tuple(
        h for one in langs for h in get_handouts(one))
    chosen = list(dict.fromkeys(slugs))
    for slug in chosen:
        for one in langs:
            get_handout(slug, library, one)  # KeyError now, before any file is written
    suffix = "" if lang == "en" else "." + "-".join(langs)
    out_dir.mkdir(parents=True, exist_ok=True)
    results: list[BuildResult] = []
    for index, slug in enumerate(chosen, start=1):
        started = time.perf_counter()
        data = render_pdf([slug], clinic, paper=paper, large_print=large_print,
                          handouts=library, lang=lang)
        path = out_dir / f"{slug}{suffix}.pdf"
        path.write_bytes(data)
        result = BuildResult(slug, path, len(data), time.perf_counter() - started)
        results.append(result)
        if progress is not None:
            progress(progress_line(index, len(chosen), result))
    return results
