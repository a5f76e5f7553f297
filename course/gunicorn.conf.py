"""gunicorn settings for production: `gunicorn -c course/gunicorn.conf.py --bind ... wsgi:app`.

Command-line flags and GUNICORN_CMD_ARGS override anything set here. Every log line gunicorn
writes (its own messages and one access line per request) is a JSON object on stderr, like the
app's own lines (course/logs.py), so one request id can be followed through all of them.
"""
import logging
import os
from collections.abc import Mapping

from course.logs import JsonFormatter

# Sync workers, one per core. Measured, not assumed: `python -m bench --storm-matrix` runs the
# submission storm on 2, 3 and 4 sync workers and 2, 3 and 4 gthread workers x 4 threads. On
# 2 cores no setting beat 2 sync workers by more than the machine's noise, 4 sync workers were
# slowest, and gthread closes idle kept-alive connections after 2 s (docs/performance.md,
# "Storm: gunicorn workers and worker class"; docs/operations.md, gunicorn). Slow calls to the
# LMS run in the separate `flask worker`, not in a request.
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
worker_class = "sync"
# The slowest request (a handout PDF render) takes well under a second; 30 s means stuck.
timeout = 30
graceful_timeout = 30

# The access line is built by AccessFormatter below; this format is only its `msg` field.
access_log_format = "%(m)s %(U)s %(s)s"


class AccessFormatter(JsonFormatter):
    """gunicorn's access line as JSON, with the request id the app echoed in X-Request-ID."""

    def format(self, record: logging.LogRecord) -> str:
        """Copy the useful atoms (gunicorn's per-request values) onto the record as fields."""
        atoms = record.args if isinstance(record.args, Mapping) else {}
        if atoms:
            record.request_id = atoms["{x-request-id}o"]
            record.method, record.path, record.query = atoms["m"], atoms["U"], atoms["q"]
            record.status = int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"]
            record.duration_ms = round(atoms["D"] / 1000, 1)
            record.bytes, record.remote_addr = atoms["B"], atoms["h"]
        return super().format(record)


def _stderr(formatter: str) -> dict:
    """A stream handler on stderr with the named formatter."""
    return {"class": "logging.StreamHandler", "formatter": formatter,
            "stream": "ext://sys.stderr"}


# gunicorn merges this into its defaults key by key, so each key below replaces its own.
logconfig_dict = {
    "formatters": {"json": {"()": JsonFormatter}, "access": {"()": AccessFormatter}},
    "handlers": {"json": _stderr("json"), "access": _stderr("access")},
    "root": {"level": "INFO", "handlers": ["json"]},
    "loggers": {
        # propagate=False: the app points the root logger at its own JSON handler too, and
        # a propagated line would be written twice.
        "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        # WeasyPrint logs every rendering step at INFO; keep its warnings only.
        "weasyprint.progress": {"level": "WARNING"},
    },
}
# Library warnings become JSON log lines instead of bare text on stderr.
logging.captureWarnings(True)
