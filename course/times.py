"""Timestamps as <time> elements: UTC in the page and on hover, the reader's zone via times.js."""
from __future__ import annotations

from datetime import datetime, timezone

from markupsafe import Markup, escape

FORMATS = {"datetime": "%-d %b %Y, %H:%M UTC", "time": "%H:%M UTC"}


def local_time(value: datetime | None, style: str = "datetime", empty: str = "") -> Markup:
    """A stored (naive = UTC) timestamp as <time datetime title>; times.js shows it locally."""
    if value is None:
        return Markup(escape(empty))
    when = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    utc = when.strftime(FORMATS.get(style, FORMATS["datetime"]))
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return Markup('<time datetime="{}" title="{}" data-local="{}">{}</time>').format(
        iso, when.strftime(FORMATS["datetime"]), style, utc)
