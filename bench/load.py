"""Load generation with wrk (Debian's package): run it, parse req/s and latency percentiles."""
from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

import requests

WRK = "wrk"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass(frozen=True)
class LoadResult:
    """What one wrk run measured; latencies in milliseconds."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    errors: int


class LoadError(RuntimeError):
    """wrk is missing, failed, or printed something this parser does not understand."""


def ensure_wrk() -> str | None:
    """The wrk binary, installing Debian's package when missing and allowed; None if absent."""
    found = shutil.which(WRK)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        print("wrk is missing: installing Debian's wrk package")
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False, timeout=300)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"],
                       env=env, check=False, timeout=300, stdout=subprocess.DEVNULL)
    return shutil.which(WRK)


def run_wrk(url: str, seconds: int, connections: int = 50, cookie: str = "") -> LoadResult:
    """``wrk -t2 -c50 -d<seconds>s --latency`` against one URL, with an optional Cookie header."""
    binary = shutil.which(WRK)
    if binary is None:
        raise LoadError("wrk not installed")
    cmd = [binary, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    try:
        done = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 30)
    finally:
        settle(url, cookie)
    if done.returncode != 0:
        raise LoadError(f"wrk exited {done.returncode}: {done.stderr.strip()[:200]}")
    return parse_wrk(done.stdout)


def settle(url: str, cookie: str = "", timeout: float = 60.0) -> None:
    """Wait until the server has worked through requests a finished wrk left in its queue.

    A sync worker still answers requests whose client has gone; one request sent after wrk
    stops comes back only when that backlog is done, so the next window starts clean.
    """
    headers = {"Cookie": cookie} if cookie else {}
    try:
        requests.get(url, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.RequestException:
        pass


def _millis(text: str) -> float:
    """'1.23ms', '850.00us' or '1.02s' in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise LoadError(f"unreadable latency {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_wrk(output: str) -> LoadResult:
    """Read wrk's --latency report."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s*50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", output, re.M)
    total = re.search(r"(\d+) requests in", output)
    if not (rps and p50 and p99 and total):
        raise LoadError("wrk output lacks Requests/sec or the latency distribution")
    if int(total.group(1)) == 0:
        raise LoadError("no request completed in the window")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       output)
    return LoadResult(float(rps.group(1)), _millis(p50.group(1)), _millis(p99.group(1)),
                      int(total.group(1)), int(non_2xx.group(1)) if non_2xx else 0,
                      sum(int(g) for g in errors.groups()) if errors else 0)


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile (pct in 0..100) of measured values; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]
