"""Real processes for fault tests: a private PostgreSQL, a private Redis, and a worker process.

They are private so a test can stop, freeze or restart them without touching the shared
servers on 5432 and 6379 that other suites use.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll until `check()` is true; fail with `what` when it never becomes true."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(0.1)


def _listening(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries Debian installed, if any."""
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")
             if Path(p).with_name("initdb").exists()]
    return max(found, key=lambda p: int(p.parent.name)) if found else None


class PrivatePostgres:
    """A throw-away PostgreSQL cluster in a temporary folder, on its own port."""

    def __init__(self, bindir: Path) -> None:
        """Prepare the folder; initdb refuses to run as root, so root runs it as `postgres`."""
        self.bindir, self.port = bindir, free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="msc-faults-pg-"))
        self.data, self.log = self.dir / "data", self.dir / "server.log"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")  # KeyError: no such user; the fixture skips
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/faults"

    def _run(self, tool: str, *args: str) -> None:
        """Run one PostgreSQL tool, failing with its output."""
        cmd = [*self.prefix, str(self.bindir / tool), *args]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=self.dir, timeout=120)
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}{done.stderr}{log}")

    def create(self) -> PrivatePostgres:
        """initdb, start, and create the `faults` database."""
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--no-sync")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "faults")
        return self

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                  "start")

    def stop(self) -> None:
        """Fast shutdown: open transactions are rolled back, clients are disconnected."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """`pg_ctl restart -m fast`, as an operator or a package upgrade would."""
        # -l again: without it the new postmaster would write to (and hold open) our pipe.
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w",
                  "restart")

    def destroy(self) -> None:
        """Stop if running and delete the cluster."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """A redis-server on its own port with no persistence, which a test can kill and restart."""

    def __init__(self, binary: str) -> None:
        """Pick the port; nothing runs yet."""
        self.binary, self.port = binary, free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        """Start the server and wait until it accepts connections."""
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--protected-mode", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _listening(self.port), f"redis-server on port {self.port}", 30)
        return self

    def kill(self) -> None:
        """The server dies: every connection is refused until it starts again."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def freeze(self) -> None:
        """The server hangs: connections open but nothing answers (SIGSTOP)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        """A frozen server answers again (SIGCONT)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)


def worker_process(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    """`flask --app wsgi worker` as its own process, as production runs it; output to `log`."""
    flask = Path(sys.executable).with_name("flask")
    inherited = {k: v for k, v in os.environ.items()
                 if k not in {"DATABASE_URL", "REDIS_URL", "CACHE_KEY_PREFIX", "DEMO_PLATFORM"}}
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([str(flask), "--app", "wsgi", "worker", *args], cwd=ROOT,
                                env={**inherited, **env}, stdout=out, stderr=subprocess.STDOUT)
