"""The test platform's AGS served over a real socket, so a worker process can reach it.

`Gate` holds score POSTs inside the platform until the test lets them go: the test can kill
the worker that sent one, or let the tool's own HTTP timeout expire, while the call is open.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from tests.faults.servers import free_port
from tests.platform import TestPlatform
from tests.platform_services import PlatformServices, platform_services

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass
class Gate:
    """Hold the next `count` score POSTs until released; `processed` says what happens then.

    processed=True: the platform records the score once released, but its reply goes to a
    socket nobody reads (a reply lost). processed=False: the held call is dropped unseen.
    """

    count: int = 0
    processed: bool = True
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hold(self, count: int = 1, processed: bool = True) -> None:
        """Arm the gate for the next `count` score POSTs."""
        self.count, self.processed = count, processed
        for event in (self.arrived, self.released, self.finished):
            event.clear()

    def take(self) -> bool:
        """Whether this call is one to hold (counts the gate down)."""
        with self.lock:
            if self.count <= 0:
                return False
            self.count -= 1
            return True

    def wrap(self, app: Wsgi) -> Wsgi:
        """WSGI middleware that parks held score POSTs in the server thread."""
        def middleware(environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
            """Pass the call through, unless it is a score POST the gate holds."""
            held = (environ["REQUEST_METHOD"] == "POST"
                    and environ.get("PATH_INFO", "").endswith("/scores") and self.take())
            if not held:
                return app(environ, start)
            self.arrived.set()
            self.released.wait(120)
            try:
                if self.processed:
                    return list(app(environ, start))
                start("503 Service Unavailable", [("Content-Length", "0")])
                return [b""]
            finally:
                self.finished.set()
        return middleware


class HttpPlatform:
    """PlatformServices reachable at http://127.0.0.1:<port>, with a Gate on score POSTs."""

    def __init__(self, platforms: list[TestPlatform], tool_app: Flask) -> None:
        """Build the services app and serve it from a thread."""
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.platform = TestPlatform(issuer=self.issuer)  # the caller registers it
        self.services: PlatformServices = platform_services(platforms, tool_app)
        self.gate = Gate()
        self.server: BaseWSGIServer = make_server("127.0.0.1", self.port,
                                                  self.gate.wrap(self.services.app),
                                                  threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Let any held call go and stop serving."""
        self.gate.released.set()
        self.server.shutdown()
        self.server.server_close()

    def gradebook(self) -> dict[tuple[str, str], dict[str, Any]]:
        """The LMS gradebook: one score per (user, line item), the newest timestamp wins."""
        book: dict[tuple[str, str], dict[str, Any]] = {}
        for score in self.services.scores:
            key = (score["userId"], score["lineitem"])
            if key not in book or score["timestamp"] > book[key]["timestamp"]:
                book[key] = score
        return book
