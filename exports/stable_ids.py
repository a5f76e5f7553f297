"""Stable table-header IDs in WeasyPrint's PDF tags, so the same handout gives the same bytes."""
from __future__ import annotations

import builtins
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from weasyprint.pdf import tags

_numbers: ContextVar[dict[int, int] | None] = ContextVar("pdf_tag_numbers", default=None)


def _tag_id(obj: Any) -> int:
    """A number per box in the order the tags are written (WeasyPrint 69 uses id(box): an address)."""
    numbers = _numbers.get()
    if numbers is None:
        return builtins.id(obj)
    return numbers.setdefault(builtins.id(obj), len(numbers) + 1)


# weasyprint.pdf.tags calls the name `id` for TH identifiers and the cells' Headers lists; a module
# global shadows the builtin there only. A context variable keeps concurrent renders apart.
tags.id = _tag_id


@contextmanager
def stable_tag_ids() -> Iterator[None]:
    """Number the tagged boxes of one PDF write from 1."""
    token = _numbers.set({})
    try:
        yield
    finally:
        _numbers.reset(token)
