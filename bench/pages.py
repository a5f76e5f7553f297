"""Requests per second and p50/p99 with wrk: the baseline, hello world and the learner pages."""
from __future__ import annotations

from bench.context import Run
from bench.launch_runs import COURSE
from bench.learner import Learner
from bench.load import LoadError, LoadResult, run_wrk
from bench.report import Figure, missing

PAGE_RATIO_TARGET = 0.6
P99_TARGET_MS = 100.0
PAGES = (("course_home", "Course home"), ("module_page", "Module section page"),
         ("quiz_attempt_page", "Quiz attempt page"))


def load(run: Run, url: str, cookie: str = "") -> LoadResult:
    """A warm-up run (not kept), then the measured wrk run at 50 connections."""
    run_wrk(url, run.plan.warm_seconds, cookie=cookie)
    return run_wrk(url, run.plan.wrk_seconds, cookie=cookie)


def light(run: Run, key: str, label: str, url: str, cookie: str = "") -> Figure:
    """p99 at 2 connections (one per worker): the page's own latency, without queueing."""
    fkey, flabel = f"{key}_p99_ms_c2", f"{label}: p99 at 2 connections"
    try:
        result = run_wrk(url, run.plan.light_seconds, connections=2, cookie=cookie)
    except LoadError as exc:
        return missing(fkey, flabel, str(exc), "ms")
    if result.non_2xx or result.errors:
        return missing(fkey, flabel, f"{result.non_2xx} non-2xx responses", "ms")
    return Figure(fkey, flabel, result.p99_ms, "ms")


PEER_CONNECTIONS = 10  # the peer row: the same pages elsewhere are quoted at 10 and 50


def level(run: Run, key: str, label: str, url: str, cookie: str = "",
          connections: int = PEER_CONNECTIONS) -> list[Figure]:
    """req/s and p99 at another number of connections (10 by default), beside 2 and 50."""
    keys = [(f"{key}_rps_c{connections}", f"{label}: req/s at {connections} connections",
             "req/s"),
            (f"{key}_p99_ms_c{connections}", f"{label}: p99 at {connections} connections", "ms")]
    try:
        result = run_wrk(url, run.plan.light_seconds, connections=connections, cookie=cookie)
    except LoadError as exc:
        return [missing(k, lab, str(exc), unit) for k, lab, unit in keys]
    if result.non_2xx or result.errors:
        why = f"{result.non_2xx} non-2xx and {result.errors} socket errors"
        return [missing(k, lab, why, unit) for k, lab, unit in keys]
    return [Figure(keys[0][0], keys[0][1], result.rps, "req/s"),
            Figure(keys[1][0], keys[1][1], result.p99_ms, "ms")]


def level_unavailable(key: str, label: str, reason: str,
                      connections: int = PEER_CONNECTIONS) -> list[Figure]:
    """The figures of level() as n/a."""
    return [missing(f"{key}_rps_c{connections}", f"{label}: req/s at {connections} connections",
                    reason, "req/s"),
            missing(f"{key}_p99_ms_c{connections}", f"{label}: p99 at {connections} connections",
                    reason, "ms")]


def _keys(key: str, label: str) -> list[tuple[str, str, str, str]]:
    """(key, label, unit, target) of a page's figures."""
    return [(f"{key}_rps", f"{label}: req/s", "req/s", ""),
            (f"{key}_p50_ms", f"{label}: p50", "ms", ""),
            (f"{key}_p99_ms", f"{label}: p99", "ms", "")]


def figures_for(key: str, label: str, result: LoadResult | None, reason: str = "",
                p99_target: bool = False) -> list[Figure]:
    """req/s, p50 and p99 of one wrk run (or n/a with the reason)."""
    keys = _keys(key, label)
    if result is None or result.non_2xx or result.errors:
        why = reason
        if result is not None and not why:
            why = (f"{result.non_2xx} non-2xx and {result.errors} socket errors in "
                   f"{result.requests} requests")
        return [missing(k, lab, why, unit, tgt) for k, lab, unit, tgt in keys]
    out = [Figure(keys[0][0], keys[0][1], result.rps, "req/s"),
           Figure(keys[1][0], keys[1][1], result.p50_ms, "ms"),
           Figure(keys[2][0], keys[2][1], result.p99_ms, "ms")]
    if p99_target:
        out[2].target, out[2].met = f"< {P99_TARGET_MS:.0f} ms", result.p99_ms < P99_TARGET_MS
    return out


def measure_baseline(run: Run) -> list[Figure]:
    """The bare Flask page (one query, ~10 KB) and the hello-world route."""
    out: list[Figure] = []
    for key, label, path in (("baseline_page", "Baseline page (1 query, ~10 KB)", "/"),
                             ("hello_world", "Hello world", "/hello")):
        try:
            result: LoadResult | None = load(run, run.baseline_url + path)
            reason = ""
        except LoadError as exc:
            result, reason = None, str(exc)
        out += figures_for(key, label, result, reason)
        ok = result is not None and not result.non_2xx and not result.errors
        out.append(light(run, key, label, run.baseline_url + path) if ok else
                   missing(f"{key}_p99_ms_c2", f"{label}: p99 at 2 connections",
                           reason or "not measured", "ms"))
        if key == "baseline_page":
            out += (level(run, key, label, run.baseline_url + path) if ok else
                    level_unavailable(key, label, reason or "not measured"))
        if key == "baseline_page" and ok and result:
            run.baseline_rps = result.rps
        if key == "hello_world" and ok and result:
            run.hello_rps = result.rps
    return out


def page_paths(run: Run) -> dict[str, str | Exception]:
    """Launch the reader and find each page's path (or why it cannot be loaded yet)."""
    reader = Learner(run.app_url, run.platform, "bench-reader", COURSE)
    reader.launch()
    run.reader = reader
    cid = reader.cid
    paths: dict[str, str | Exception] = {"course_home": f"/c/{cid}/"}
    try:
        from modules.loader import get_course
        module = get_course().modules[0]
        paths["module_page"] = f"/c/{cid}/modules/{module.slug}/{module.sections[0].slug}"
    except Exception as exc:  # the module loader may not have landed or may be broken
        paths["module_page"] = exc
    try:
        from quizzes.bank_loader import get_bank
        quiz = next(q for q in get_bank().quizzes if q.module)
        aid = reader.start_attempt(quiz.slug)
        paths["quiz_attempt_page"] = f"/c/{cid}/quizzes/attempts/{aid}/?q=1"
    except Exception as exc:  # quizzes may not have landed
        paths["quiz_attempt_page"] = exc
    return paths


def beside(run: Run) -> float | None:
    """The baseline page's req/s in a window like the page's, measured next to it; None if not."""
    if not run.baseline_url:
        return None
    try:
        result = run_wrk(run.baseline_url + "/", run.plan.wrk_seconds)
    except LoadError:
        return None
    return None if result.non_2xx or result.errors else result.rps


def page_figures(run: Run, key: str, label: str, path: str | Exception) -> list[Figure]:
    """One learner page: wrk at 50 and at 2 connections, and its ratio to the baseline.

    The page's measured window sits between two baseline windows of the same length, and the
    ratio is taken against their mean: on a shared machine the baseline drifts by 10 to 20 %
    within a minute, so the baseline phase's figure from minutes before is not a fair anchor.
    """
    result, reason, around = None, "", []
    if isinstance(path, Exception):
        reason = f"{path.__class__.__name__}: {path}"[:120]
    else:
        try:
            assert run.reader is not None
            run.reader.get(path)  # a 401/302/404 would make wrk's numbers meaningless
            url, cookie = run.app_url + path, run.reader.cookie()
            run_wrk(url, run.plan.warm_seconds, cookie=cookie)
            around.append(beside(run))
            result = run_wrk(url, run.plan.wrk_seconds, cookie=cookie)
            around.append(beside(run))
        except Exception as exc:  # reported as n/a, never fatal
            reason = f"{exc.__class__.__name__}: {exc}"[:120]
    out = figures_for(key, label, result, reason, p99_target=True)
    good = result is not None and not reason and not result.non_2xx and not result.errors
    if good and run.reader is not None and not isinstance(path, Exception):
        out.append(light(run, key, label, run.app_url + path, run.reader.cookie()))
        out += level(run, key, label, run.app_url + path, run.reader.cookie())
    else:
        out.append(missing(f"{key}_p99_ms_c2", f"{label}: p99 at 2 connections",
                           reason or "page not measured", "ms"))
        out += level_unavailable(key, label, reason or "page not measured")
    anchor = [rps for rps in around if rps]
    beside_rps = sum(anchor) / len(anchor) if len(anchor) == 2 else None
    out.append(Figure(f"{key}_baseline_beside_rps", f"{label}: baseline page around it",
                      beside_rps, "req/s") if beside_rps else
               missing(f"{key}_baseline_beside_rps", f"{label}: baseline page around it",
                       reason or "baseline not measured beside the page", "req/s"))
    # Without both windows (a baseline that failed), the baseline phase's figure stands in.
    out.append(ratio_figure(key, label, result.rps if good and result else None,
                            beside_rps or run.baseline_rps, reason))
    return out


def measure_pages(run: Run) -> list[Figure]:
    """Each learner page under wrk with the reader's session cookie."""
    paths = page_paths(run)
    return [f for key, label in PAGES for f in page_figures(run, key, label, paths[key])]


def ratio_figure(key: str, label: str, rps: float | None, baseline: float | None,
                 reason: str = "") -> Figure:
    """A page's requests per second as a fraction of the baseline page's."""
    target = f">= {PAGE_RATIO_TARGET:.0%}"
    if rps is None or not baseline:
        why = reason or ("baseline not measured" if not baseline else "page not measured")
        return missing(f"{key}_ratio", f"{label}: ratio to baseline", why, "", target)
    ratio = rps / baseline
    return Figure(f"{key}_ratio", f"{label}: ratio to baseline", ratio, "x", target,
                  met=ratio >= PAGE_RATIO_TARGET)


def baseline_unavailable(reason: str) -> list[Figure]:
    """Baseline and hello-world figures as n/a."""
    out: list[Figure] = []
    for key, label in (("baseline_page", "Baseline page (1 query, ~10 KB)"),
                       ("hello_world", "Hello world")):
        out += figures_for(key, label, None, reason)
        out.append(missing(f"{key}_p99_ms_c2", f"{label}: p99 at 2 connections", reason, "ms"))
        if key == "baseline_page":
            out += level_unavailable(key, label, reason)
    return out


def pages_unavailable(reason: str) -> list[Figure]:
    """Every learner-page figure as n/a."""
    out: list[Figure] = []
    for key, label in PAGES:
        out += figures_for(key, label, None, reason, p99_target=True)
        out.append(missing(f"{key}_p99_ms_c2", f"{label}: p99 at 2 connections", reason, "ms"))
        out += level_unavailable(key, label, reason)
        out.append(ratio_figure(key, label, None, None, reason))
    return out
