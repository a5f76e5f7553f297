"""A route table that controllers fill with Blueprint-style decorators and a blueprint module adds.

A controller that imported its blueprint while the blueprint module imported the controller made
an import loop; with a table, the controller imports nothing upward and `blueprint.py` lists them.
"""
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint

F = TypeVar("F", bound=Callable[..., Any])


class Routes:
    """Records views under their rules; `register(bp)` adds them, endpoint = function name."""

    def __init__(self) -> None:
        self._rules: list[tuple[str, dict[str, Any], Callable[..., Any]]] = []

    def route(self, rule: str, **options: Any) -> Callable[[F], F]:
        """Record the decorated view under `rule` (options as for Blueprint.route)."""
        def record(view: F) -> F:
            self._rules.append((rule, options, view))
            return view
        return record

    def get(self, rule: str, **options: Any) -> Callable[[F], F]:
        """A GET route."""
        return self.route(rule, methods=["GET"], **options)

    def post(self, rule: str, **options: Any) -> Callable[[F], F]:
        """A POST route."""
        return self.route(rule, methods=["POST"], **options)

    def register(self, bp: Blueprint) -> None:
        """Add every recorded view to `bp`, in the order recorded."""
        for rule, options, view in self._rules:
            opts = dict(options)
            bp.add_url_rule(rule, opts.pop("endpoint", None), view, **opts)
