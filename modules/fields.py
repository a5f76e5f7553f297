"""Typed reading of YAML front matter, with errors that name the file and the field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import yaml

from course.content import ContentError

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_FENCE = "---"


def split_front_matter(text: str, file: str) -> tuple[dict[str, Any], str]:
    """Split a content file into its YAML front matter (a mapping) and its Markdown body."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != _FENCE:
        raise ContentError(f"{file}: front matter must start with a line holding only '---'")
    end = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() == _FENCE), None)
    if end is None:
        raise ContentError(f"{file}: front matter is not closed by a line holding only '---'")
    try:
        data = yaml.safe_load("".join(lines[1:end]))
    except yaml.YAMLError as exc:
        raise ContentError(f"{file}: front matter is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ContentError(f"{file}: front matter must be a YAML mapping")
    return data, "".join(lines[end + 1:])


class Fields:
    """One YAML mapping plus where it came from, so every error can say file and field."""

    def __init__(self, data: Any, file: str, path: str, allowed: Iterable[str]) -> None:
        """Wrap ``data`` found at ``path`` in ``file``; keys outside ``allowed`` are errors."""
        self.file = file
        self.path = path
        if not isinstance(data, dict):
            raise self.error("", "must be a mapping")
        unknown = sorted(str(k) for k in data if k not in set(allowed))
        if unknown:
            raise self.error("", f"has unknown key(s) {', '.join(unknown)}")
        self.data: dict[str, Any] = data

    def name(self, key: str) -> str:
        """Return the dotted field name for ``key`` (``practice[1].answer``)."""
        if not key:
            return self.path or "front matter"
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str) -> ContentError:
        """Build a ContentError naming this file and field."""
        return ContentError(f"{self.file}: {self.name(key)} {message}")

    def has(self, key: str) -> bool:
        """Tell whether ``key`` is present and not null."""
        return self.data.get(key) is not None

    def raw(self, key: str) -> Any:
        """Return a required value of any type."""
        if not self.has(key):
            raise self.error(key, "is missing")
        return self.data[key]

    def text(self, key: str) -> str:
        """Return a required non-empty string, stripped."""
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty string")
        return value.strip()

    def line(self, key: str) -> str:
        """Return a required one-line string."""
        value = self.text(key)
        if "\n" in value:
            raise self.error(key, "must fit on one line")
        return value

    def slug(self, key: str) -> str:
        """Return a required slug (lower-case letters and digits joined by hyphens)."""
        value = self.scalar(key)
        if not SLUG.match(value):
            raise self.error(key, f"'{value}' is not a slug (a-z, 0-9 and single hyphens)")
        return value

    def scalar(self, key: str) -> str:
        """Return a required string or integer as a string (YAML reads ``answer: 3`` as int)."""
        value = self.raw(key)
        if isinstance(value, bool):
            raise self.error(key, f"reads as {str(value).lower()} in YAML; put it in quotes")
        if not isinstance(value, (str, int)):
            raise self.error(key, "must be a string or a whole number")
        text = str(value).strip()
        if not text:
            raise self.error(key, "must not be empty")
        return text

    def integer(self, key: str, minimum: int = 1) -> int:
        """Return a required whole number of at least ``minimum``."""
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.error(key, f"must be a whole number >= {minimum}")
        return value

    def boolean(self, key: str) -> bool:
        """Return a required true/false value."""
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def date(self, key: str) -> dt.date:
        """Return a required ISO date (YAML may already have parsed it)."""
        value = self.raw(key)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise self.error(key, f"'{value}' is not an ISO date (YYYY-MM-DD)") from None

    def strings(self, key: str, minimum: int = 1) -> tuple[str, ...]:
        """Return a required list of non-empty one-line strings with at least ``minimum`` entries."""
        values = self.sequence(key, minimum)
        out = []
        for i, value in enumerate(values):
            if not isinstance(value, str) or not value.strip() or "\n" in value.strip():
                raise self.error(f"{key}[{i}]", "must be a non-empty one-line string")
            out.append(value.strip())
        return tuple(out)

    def sequence(self, key: str, minimum: int = 1) -> list[Any]:
        """Return a required list with at least ``minimum`` entries."""
        value = self.raw(key) if minimum > 0 else (self.data.get(key) or [])
        if not isinstance(value, list):
            raise self.error(key, "must be a list")
        if len(value) < minimum:
            raise self.error(key, f"needs at least {minimum} entr{'y' if minimum == 1 else 'ies'}")
        return value

    def children(self, key: str, allowed: Iterable[str], minimum: int = 1) -> list[Fields]:
        """Return a list of mappings as Fields, each named ``key[i]``."""
        allowed = tuple(allowed)
        return [
            Fields(item, self.file, self.name(f"{key}[{i}]"), allowed)
            for i, item in enumerate(self.sequence(key, minimum))
        ]

    def mapping(self, key: str) -> dict[str, Any]:
        """Return an optional mapping (empty when absent), with keys turned into strings."""
        value = self.data.get(key) or {}
        if not isinstance(value, dict):
            raise self.error(key, "must be a mapping")
        return {str(k): v for k, v in value.items()}
