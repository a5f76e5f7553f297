"""Structured JSON logs with a request id, so one launch can be followed across servers."""
import json
import logging
import os
import re

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # what proxies send (uuid, hex, ids with dots)
STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and extras."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise the record; extras passed with `extra=` become fields."""
        data = {"ts": round(record.created, 3), "level": record.levelname,
                "logger": record.name, "msg": record.getMessage()}
        if has_request_context():
            data["request_id"] = getattr(g, "request_id", None)
            data["path"] = request.path
        data.update({k: v for k, v in vars(record).items() if k not in STANDARD})
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)


def register(app: Flask) -> None:
    """Give every request an id (or keep the proxy's) and log it as JSON when configured."""
    if app.config.get("LOG_JSON"):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(logging.INFO)

    # Only a proxy the deployment declared (PROXY_FIX > 0) sets the id; from anyone else a
    # chosen id could make one person's requests look like another's in the logs.
    trusted = int(app.config.get("PROXY_FIX") or 0) > 0

    @app.before_request
    def start() -> None:
        """Take the X-Request-ID of a trusted proxy or make one."""
        given = request.headers.get("X-Request-ID", "")[:64] if trusted else ""
        # 32 random hex digits as uuid4().hex gave, without building a UUID (issue 18); the
        # start time it also kept in g was never read.
        g.request_id = given if given and REQUEST_ID.fullmatch(given) else os.urandom(16).hex()

    @app.after_request
    def finish(resp: Response) -> Response:
        """Echo the request id so a user can quote it."""
        resp.headers["X-Request-ID"] = getattr(g, "request_id", "")
        return resp

    del start, finish
