"""Outgoing HTTP for LTI services: pooled connections, and a timeout on every call."""
import threading
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import requests
from flask import current_app, has_app_context

USER_AGENT = "ms-muscle-course-lti/0.1"
DEFAULT_TIMEOUT = 10.0


class TimeoutSession(requests.Session):
    """A requests session whose calls default to a connect and read timeout."""

    def __init__(self, timeout: float) -> None:
        """Remember the timeout applied to calls that give none; accept no cookies."""
        super().__init__()
        self.timeout = timeout
        self.headers["User-Agent"] = USER_AGENT
        # The session is shared by every tenant's calls: a cookie one platform sets must never
        # ride along on another's (Canvas cloud serves every institution from one host).
        self.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self._own_adapters = list(self.adapters.values())
        self.generation = -1

    def request(self, method: str | bytes, url: str | bytes, *args: Any,
                **kwargs: Any) -> requests.Response:
        """Send with the default timeout unless the caller chose one."""
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)

    def close(self) -> None:
        """Close this session's own connection pools; mounted adapters are shared, so not those."""
        for adapter in self._own_adapters:
            adapter.close()


# Tests replace this to route platform URLs to an in-process platform.
_transport_adapters: dict[str, requests.adapters.BaseAdapter] = {}
_generation = 0  # bumped by mount/unmount so pooled sessions pick up the new adapters
_local = threading.local()  # one session per thread: requests.Session is not thread-safe


def mount(prefix: str, adapter: requests.adapters.BaseAdapter) -> None:
    """Route every future session's requests under `prefix` through `adapter`."""
    global _generation
    _transport_adapters[prefix] = adapter
    _generation += 1


def unmount_all() -> None:
    """Forget mounted adapters."""
    global _generation
    _transport_adapters.clear()
    _generation += 1


def http_session() -> TimeoutSession:
    """This thread's pooled session, with the configured timeout and any mounted adapters.

    Reusing one session keeps connections (and TLS handshakes) alive between calls: a worker
    pass that posts 300 scores to one LMS opens one connection, not 300.
    """
    timeout = current_app.config["HTTP_TIMEOUT_SECONDS"] if has_app_context() else DEFAULT_TIMEOUT
    session: TimeoutSession | None = getattr(_local, "session", None)
    if session is None or session.generation != _generation:
        if session is not None:
            session.close()
        session = TimeoutSession(timeout)
        for prefix, adapter in _transport_adapters.items():
            session.mount(prefix, adapter)
        session.generation = _generation
        _local.session = session
    session.timeout = timeout  # apps in one process (tests) may configure different timeouts
    return session


def close_session() -> None:
    """Close this thread's pooled connections (a worker's end of pass, so none goes stale idle)."""
    session = getattr(_local, "session", None)
    if session is not None:
        session.close()
        _local.session = None
