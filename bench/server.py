"""Start and stop gunicorn: 2 sync workers unless told otherwise (the storm matrix varies them)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
START_TIMEOUT = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """One gunicorn master and its workers in their own process group, as a context manager."""

    def __init__(self, app: str, env: dict[str, str], log_dir: Path, name: str,
                 ready_path: str = "/", workers: int = WORKERS, worker_class: str = "sync",
                 threads: int = 1) -> None:
        """Remember what to serve; nothing starts until __enter__."""
        self.app, self.env, self.name, self.ready_path = app, env, name, ready_path
        self.workers, self.worker_class, self.threads = workers, worker_class, threads
        self.log = log_dir / f"gunicorn-{name}.log"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def settings(self) -> str:
        """The gunicorn settings in words, e.g. '2 sync workers' or '3 gthread workers x 4'."""
        if self.worker_class == "gthread":
            return f"{self.workers} gthread workers x {self.threads} threads"
        return f"{self.workers} {self.worker_class} workers"

    @property
    def group(self) -> int | None:
        """The process group of the master and its workers (it started a new session)."""
        return self.proc.pid if self.proc is not None else None

    def __enter__(self) -> Gunicorn:
        """Start gunicorn and wait until it answers."""
        cmd = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
               "--worker-class", self.worker_class, "--threads", str(self.threads),
               "--bind", f"127.0.0.1:{self.port}",
               "--graceful-timeout", "5", "--timeout", "60", self.app]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the server whatever happened."""
        self.stop()

    def _wait_ready(self) -> None:
        """Poll until the server answers below 500, it exits, or the start timeout passes."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.name}) exited: {self.tail()}")
            try:
                if requests.get(self.base_url + self.ready_path, timeout=2).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn ({self.name}) did not answer in {START_TIMEOUT:.0f} s")

    def stop(self) -> None:
        """SIGTERM the process group this object started, then SIGKILL it if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        except ProcessLookupError:
            pass

    def tail(self, chars: int = 600) -> str:
        """The end of the server log, for error messages."""
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""
