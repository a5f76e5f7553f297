"""Handouts: render time against bare WeasyPrint on the same HTML, and the cached download."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from bench.context import Run
from bench.load import percentile
from bench.report import Figure, missing

KEYS = (("handout_render_s", "Handout render (render_pdf, PDF/UA)", "s"),
        ("handout_bare_weasyprint_s", "Bare WeasyPrint, same HTML", "s"),
        ("handout_render_ratio", "Handout render: ratio to bare WeasyPrint", "x"),
        ("handout_first_download_s", "Handout PDF via web route, first (renders)", "s"),
        ("handout_cached_download_p50_ms", "Handout PDF via web route, cached: p50", "ms"),
        ("handout_cached_download_p99_ms", "Handout PDF via web route, cached: p99", "ms"))


def _median_time(call: Callable[[], object], repeats: int) -> float:
    """Median wall time of `repeats` calls, in seconds."""
    times = []
    for _ in range(max(1, repeats)):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def render_times(repeats: int) -> tuple[str, float, float]:
    """(slug, render_pdf seconds, bare WeasyPrint seconds) for the first shipped handout."""
    import weasyprint

    from exports.content import get_handouts
    from exports.fetcher import SafeFetcher
    from exports.render import PLACEHOLDER_CLINIC, RenderOptions, render_html, render_pdf
    slug = get_handouts()[0].slug
    html = render_html([slug], PLACEHOLDER_CLINIC, RenderOptions())
    render_pdf([slug], PLACEHOLDER_CLINIC)  # first call loads fonts; not counted
    ours = _median_time(lambda: render_pdf([slug], PLACEHOLDER_CLINIC), repeats)
    # Bare: the same HTML and the same fetcher (its CSS and figures need it), default options.
    bare = _median_time(lambda: weasyprint.HTML(string=html, url_fetcher=SafeFetcher())
                        .write_pdf(), repeats)
    return slug, ours, bare


def downloads(run: Run, slug: str) -> tuple[float, list[float]]:
    """First download (server renders and caches), then `downloads` cached ones; seconds."""
    assert run.reader is not None and run.reader.cid is not None
    path = f"/c/{run.reader.cid}/handouts/{slug}.pdf"
    began = time.perf_counter()
    first = run.reader.get(path)
    cold = time.perf_counter() - began
    if not first.content.startswith(b"%PDF"):
        raise RuntimeError("the handout route did not return a PDF")
    times = []
    for _ in range(run.plan.downloads):
        began = time.perf_counter()
        run.reader.get(path)
        times.append(time.perf_counter() - began)
    return cold, times


def measure(run: Run) -> list[Figure]:
    """In-process render timings, then the web route as the reader."""
    try:
        slug, ours, bare = render_times(run.plan.renders)
    except Exception as exc:  # exports may not have landed
        reason = f"{exc.__class__.__name__}: {exc}"[:120]
        return [missing(k, label, reason, unit) for k, label, unit in KEYS]
    out = [Figure(KEYS[0][0], KEYS[0][1], ours, "s"), Figure(KEYS[1][0], KEYS[1][1], bare, "s"),
           Figure(KEYS[2][0], KEYS[2][1], ours / bare if bare else None, "x")]
    try:
        cold, times = downloads(run, slug)
    except Exception as exc:  # the web route may be missing; the render figures still count
        reason = f"{exc.__class__.__name__}: {exc}"[:120]
        return out + [missing(k, label, reason, unit) for k, label, unit in KEYS[3:]]
    p50, p99 = percentile(times, 50), percentile(times, 99)
    return out + [Figure(KEYS[3][0], KEYS[3][1], cold, "s"),
                  Figure(KEYS[4][0], KEYS[4][1], p50 * 1000 if p50 is not None else None, "ms"),
                  Figure(KEYS[5][0], KEYS[5][1], p99 * 1000 if p99 is not None else None, "ms")]


def unavailable(reason: str) -> list[Figure]:
    """Every handout figure as n/a."""
    return [missing(k, label, reason, unit) for k, label, unit in KEYS]
