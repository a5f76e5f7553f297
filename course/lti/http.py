"""Outgoing HTTP for LTI services: every call has a timeout (pylti1p3 sets none)."""
from typing import Any

import requests
from flask import current_app, has_app_context

USER_AGENT = "ms-muscle-course-lti/0.1"


class TimeoutSession(requests.Session):
    """A requests session whose calls default to a connect and read timeout."""

    def __init__(self, timeout: float) -> None:
        """Remember the timeout applied to calls that give none."""
        super().__init__()
        self.timeout = timeout
        self.headers["User-Agent"] = USER_AGENT

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        """Send with the default timeout unless the caller chose one."""
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


# Tests replace this to route platform URLs to an in-process platform.
_transport_adapters: dict[str, requests.adapters.BaseAdapter] = {}


def mount(prefix: str, adapter: requests.adapters.BaseAdapter) -> None:
    """Route every future session's requests under `prefix` through `adapter`."""
    _transport_adapters[prefix] = adapter


def unmount_all() -> None:
    """Forget mounted adapters."""
    _transport_adapters.clear()


def http_session() -> TimeoutSession:
    """A session with the configured timeout and any mounted adapters."""
    timeout = current_app.config["HTTP_TIMEOUT_SECONDS"] if has_app_context() else 10.0
    session = TimeoutSession(timeout)
    for prefix, adapter in _transport_adapters.items():
        session.mount(prefix, adapter)
    return session
