"""Worst-case uploads: the largest logo and GIFT file each limit accepts, and the hostile files
the limits refuse, each measured in a fresh subprocess for wall time and peak memory (max RSS).

Run alone with ``.venv/bin/python -m bench.uploads`` (merges its figures into
bench/results.json), or as the "Uploads" section of ``python -m bench``. Targets from issue 11:
an accepted upload of the maximum size renders or imports in under 2 s and 256 MB.
"""
from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import RESULTS, Figure, missing  # noqa: E402

SECONDS, MEGABYTES = 2.0, 256


def _png(side: int) -> bytes:
    """A translucent PNG at the pixel limit (RGBA is the slowest kind to embed)."""
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGBA", (side, side), (11, 61, 107, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _jpeg(side: int) -> bytes:
    """A JPEG at the pixel limit."""
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), (11, 61, 107)).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def _logos() -> dict[str, Callable[[], bytes]]:
    """Each accepted worst case: at the pixel limit, or at the SVG drawing-step budget."""
    from exports.imagelimits import MAX_PIXELS, MAX_SVG_STEPS, TEXT_STEP, USE_STEP
    from tests.exports.svg_samples import HEAD, many_paths, reused_symbol
    side = int(MAX_PIXELS ** 0.5)
    return {
        "png": lambda: _png(side),
        "jpeg": lambda: _jpeg(side),
        "svg_path": lambda: many_paths(1, MAX_SVG_STEPS - 10),
        "svg_text": lambda: (HEAD + "<text>" + "x" * (MAX_SVG_STEPS // TEXT_STEP - 10)
                             + "</text></svg>").encode(),
        "svg_use": lambda: reused_symbol(MAX_SVG_STEPS // (USE_STEP + 12) - 5),
    }


def _hostile() -> dict[str, Callable[[], bytes]]:
    """The attack run's files: refused at upload, so their cost is the check alone."""
    from tests.exports.svg_samples import huge_png, png_inside_svg, use_bomb
    return {"svg_bomb": use_bomb, "png_in_svg": lambda: png_inside_svg(huge_png())}


def _gift_files() -> dict[str, Callable[[], str]]:
    """GIFT files at the byte limit (2 MiB) and the question cap (2,000)."""
    from quizzes.interchange.gift import DEFAULT_MAX_QUESTIONS as cap
    size = 2 * 1024 * 1024 - 1024
    pad = "x" * (size // cap - 80)
    return {
        "dup_titles": lambda: "".join(f"::a::{pad} {{=right#why\n~wrong#no}}\n\n"
                                      for _ in range(cap)),
        "answers": lambda: "::q::Pick {=right\n" + "".join(
            f"~wrong {i}#" + "y" * (size // 100 - 20) + "\n" for i in range(99)) + "}\n",
        "comments": lambda: "// note\n" * (size // 8 - 4) + "::a::x{T}\n",
        "escapes": lambda: "::e::" + "\\{" * (size // 2 - 10) + "{T}\n",
    }


def _peak_mb() -> float:
    """This process's peak resident memory in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds this process has used: unlike wall time, other load does not inflate it."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _render(logo: bytes | None, packet: bool) -> dict[str, Any]:
    """Validate a logo as an upload would, then render one handout (or every handout)."""
    from exports.content import get_handouts
    from exports.logo import logo_data_uri, prepare_logo
    from exports.render import PLACEHOLDER_CLINIC, render_pdf
    slugs = [h.slug for h in get_handouts()]
    render_pdf(slugs[:1], PLACEHOLDER_CLINIC)  # fonts load on the first call; not counted
    began, cpu = time.perf_counter(), _cpu()
    clinic = dict(PLACEHOLDER_CLINIC)
    if logo is not None:
        clinic["logo_data_uri"] = logo_data_uri(*prepare_logo(logo))  # as an upload stores it
    render_pdf(slugs if packet else slugs[:1], clinic)
    return {"s": time.perf_counter() - began, "cpu_s": _cpu() - cpu, "kb": len(logo or b"") / 1024}


def _refuse(data: bytes) -> dict[str, Any]:
    """Time the upload check on a hostile logo; it must refuse it."""
    from exports.logo import LogoError, validate_logo
    began, cpu = time.perf_counter(), _cpu()
    try:
        validate_logo(data)
    except LogoError:
        return {"s": time.perf_counter() - began, "cpu_s": _cpu() - cpu, "kb": len(data) / 1024}
    raise RuntimeError("the hostile logo was accepted")


def _gift(text: str, write: bool) -> dict[str, Any]:
    """Import a GIFT file into a fresh SQLite course bank (or a dry run)."""
    from course import create_app
    from course.db import db
    from course.models import Context, Registration
    from quizzes.interchange.transfer import import_gift
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.sqlite3",
                          "INSTANCE_PATH": tmp, "TESTING": True})
        with app.app_context():
            db.create_all()
            reg = Registration(issuer="https://bench", client_id="b", auth_login_url="x",
                               auth_token_url="x")
            db.session.add(reg)
            db.session.flush()
            ctx = Context(registration_id=reg.id, context_id="bench")
            db.session.add(ctx)
            db.session.commit()
            began, cpu = time.perf_counter(), _cpu()
            report = import_gift(ctx.id, None, text, dry_run=not write)
            seconds, cpu_s = time.perf_counter() - began, _cpu() - cpu
            db.session.remove()
            db.engine.dispose()
    return {"s": seconds, "cpu_s": cpu_s, "kb": len(text.encode()) / 1024,
            "questions": len(report.lines)}


def run_case(kind: str, name: str) -> dict[str, Any]:
    """One case inside this (fresh) process; adds the peak memory."""
    return {**_run(kind, name), "peak_mb": _peak_mb()}


def _run(kind: str, name: str) -> dict[str, Any]:
    """Dispatch one case."""
    if kind in ("render", "packet"):
        logo = None if name == "none" else _logos()[name]()
        result = _render(logo, kind == "packet")
    elif kind == "refuse":
        result = _refuse(_hostile()[name]())
    else:
        result = _gift(_gift_files()[name](), kind == "import")
    return result


CASES = [("render", n) for n in ("none", "png", "jpeg", "svg_path", "svg_text", "svg_use")] + [
    ("packet", n) for n in ("none", "svg_path", "svg_use", "png")] + [
    ("refuse", n) for n in ("svg_bomb", "png_in_svg")] + [
    ("dry", n) for n in ("dup_titles", "answers", "comments", "escapes")] + [
    ("import", "dup_titles")]


def _measure(kind: str, name: str) -> dict[str, Any]:
    """Run one case in a subprocess, so its peak memory is its own."""
    done = subprocess.run([sys.executable, "-m", "bench.uploads", "--case", kind, name],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1][:120])
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure() -> list[Figure]:
    """Every case as two figures (seconds, peak MB); a failed case is n/a with its reason."""
    figures: list[Figure] = []
    for kind, name in CASES:
        key, label = f"upload_{kind}_{name}", f"Upload worst case: {kind} {name.replace('_', ' ')}"
        try:
            got = _measure(kind, name)
        except Exception as exc:  # a benchmark reports what it could not measure
            reason = f"{exc.__class__.__name__}: {exc}"[:120]
            figures += [missing(f"{key}_cpu_s", label, reason, "s"),
                        missing(f"{key}_peak_mb", f"{label}: peak memory", reason, "MB")]
            continue
        label += f" ({got['kb']:.0f} KB)"
        # The target is judged on CPU time: wall time on a shared machine includes others' work.
        figures += [Figure(f"{key}_cpu_s", f"{label}: CPU", got["cpu_s"], "s", f"< {SECONDS:g} s",
                           met=got["cpu_s"] < SECONDS),
                    Figure(f"{key}_s", f"{label}: wall", got["s"], "s"),
                    Figure(f"{key}_peak_mb", f"{label}: peak memory", round(got["peak_mb"]),
                           "MB", f"< {MEGABYTES} MB", met=got["peak_mb"] < MEGABYTES)]
        print(f"   {label}: {got['cpu_s']:.2f} s CPU, {got['s']:.2f} s wall, "
              f"{got['peak_mb']:.0f} MB", flush=True)
    return figures


def _record(figures: list[Figure]) -> None:
    """Merge these figures into bench/results.json, keeping every other key."""
    data: dict[str, Any] = {}
    if RESULTS.exists():
        try:
            loaded = json.loads(RESULTS.read_text())
            data = loaded if isinstance(loaded, dict) else {}
        except json.JSONDecodeError:
            data = {}
    for f in figures:
        data[f.key] = round(f.value, 4) if isinstance(f.value, float) else f.value
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def main(argv: list[str]) -> int:
    """`--case KIND NAME` runs one case and prints JSON; no arguments runs them all."""
    if argv[:1] == ["--case"]:
        print(json.dumps(run_case(argv[1], argv[2])))
        return 0
    from bench.report import print_table
    figures = measure()
    print_table(figures, "Upload worst cases (each in a fresh process)")
    _record(figures)
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
