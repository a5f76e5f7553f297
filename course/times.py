"""Timestamps as <time> elements: UTC in the page and on hover, the reader's zone via times.js."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

ZONE_SETTING = "timezone"  # custom parameter; in Canvas: timezone=$Person.address.timezone
FORMATS = {"datetime": "%-d %b %Y, %H:%M UTC", "time": "%H:%M UTC"}


def local_time(value: datetime | None, style: str = "datetime", empty: str = "") -> Markup:
    """A stored (naive = UTC) timestamp as <time datetime title>; times.js shows it locally."""
    if value is None:
        return Markup(escape(empty))
    when = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    utc = when.strftime(FORMATS.get(style, FORMATS["datetime"]))
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return Markup('<time datetime="{}" title="{}" data-local="{}">{}</time>').format(
        iso, when.strftime(FORMATS["datetime"]), style, utc)


def launch_zone(custom: Mapping[str, Any]) -> str | None:
    """The IANA time zone the platform sent as the custom ``timezone`` claim, if it is a real one."""
    name = str(custom.get(ZONE_SETTING) or "").strip()
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        ZoneInfo(name)
    except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None
    return name
