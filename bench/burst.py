"""Send many HTTP requests at the same moment from one thread, for the submission storm.

The storm's client shares the machine with the server. Three hundred `requests` threads woken
by a barrier cost about 3 ms of CPU per request, taken from the server's cores while it works;
learners' browsers would be on their own machines. One selector loop over raw sockets costs
about a sixth of that, so the figures say more about the server and less about the client.
"""
from __future__ import annotations

import selectors
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests


@dataclass
class Answer:
    """One response: seconds from the release, status and Location (empty on failure)."""

    took: float
    status: int
    location: str
    error: str = ""


def prepared(session: requests.Session, method: str, url: str, data: dict) -> bytes:
    """The request as bytes, with the session's cookies, closing the connection after it."""
    req = session.prepare_request(requests.Request(method, url, data=data,
                                                   headers={"Connection": "close"}))
    parts = urlsplit(str(req.url))
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    head = [f"{req.method} {target} HTTP/1.1", f"Host: {parts.netloc}"]
    head += [f"{k}: {v}" for k, v in req.headers.items()]
    body = req.body or b""
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (
        body.encode() if isinstance(body, str) else bytes(body))


def _parse(raw: bytes) -> tuple[int, str]:
    """Status code and Location header of a raw HTTP response."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    location = next((line.split(":", 1)[1].strip() for line in head[1:]
                     if line.lower().startswith("location:")), "")
    return status, location


def burst(host: str, port: int, requests_: list[bytes], timeout: float = 60.0
          ) -> tuple[float, list[Answer]]:
    """Open a connection per request at once, send each, read each to EOF.

    Returns the release time (perf_counter) and one Answer per request, in the given order.
    """
    sel = selectors.DefaultSelector()
    answers: list[Answer | None] = [None] * len(requests_)
    buffers: dict[int, bytearray] = {}
    released = time.perf_counter()
    for i, raw in enumerate(requests_):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex((host, port))
        sel.register(sock, selectors.EVENT_WRITE, (i, raw, sock))
    pending = len(requests_)
    deadline = released + timeout
    while pending and time.perf_counter() < deadline:
        for key, events in sel.select(timeout=max(0.0, deadline - time.perf_counter())):
            i, raw, sock = key.data
            try:
                if events & selectors.EVENT_WRITE:
                    sock.sendall(raw)  # small: fits the socket's send buffer at once
                    buffers[i] = bytearray()
                    sel.modify(sock, selectors.EVENT_READ, key.data)
                    continue
                chunk = sock.recv(65536)
                if chunk:
                    buffers[i] += chunk
                    continue
                status, location = _parse(bytes(buffers[i]))
                answers[i] = Answer(time.perf_counter() - released, status, location)
            except (OSError, ValueError, IndexError) as exc:
                answers[i] = Answer(time.perf_counter() - released, 0, "",
                                    exc.__class__.__name__)
            sel.unregister(sock)
            sock.close()
            pending -= 1
    for key in list(sel.get_map().values()):  # what the deadline cut short
        answers[key.data[0]] = Answer(timeout, 0, "", "timeout")
        key.data[2].close()
    sel.close()
    return released, [a for a in answers if a is not None]
