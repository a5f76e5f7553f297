"""Course-home panels: each package contributes one, so the home view stays thin."""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app

from course.models import Context, User
from course.reads import Query, Rows, read_together


@dataclass(frozen=True)
class Panel:
    """A block on the course home: a template and the values it renders."""

    template: str
    values: dict[str, Any]
    order: int = 50


@dataclass(frozen=True)
class PanelRead:
    """A panel that needs one read: the home runs every panel's read in one round trip."""

    query: Query
    values: dict[str, Any]
    build: Callable[[Rows], Panel | None]


PanelFn = Callable[[Context, User, str], "Panel | PanelRead | None"]


def add_panel(app: Any, fn: PanelFn) -> None:
    """Register a panel provider (called by each package's init)."""
    app.extensions.setdefault("home_panels", []).append(fn)


def panels_for(ctx: Context, user: User, role: str) -> list[Panel]:
    """Every package's panel for this user, in order; the panels' reads go as one statement."""
    found = [fn(ctx, user, role) for fn in current_app.extensions.get("home_panels", [])]
    reads = [p for p in found if isinstance(p, PanelRead)]
    rows = iter(read_together([(p.query, p.values) for p in reads]))
    built = [p.build(next(rows)) if isinstance(p, PanelRead) else p for p in found]
    return sorted((p for p in built if p is not None), key=lambda p: p.order)


@dataclass(frozen=True)
class NavItem:
    """A link in the course navigation bar."""

    label: str
    endpoint: str
    role: str | None = None  # None: everyone; "instructor": staff only
    order: int = 50


def add_nav(app: Any, item: NavItem) -> None:
    """Register a navigation link (called by each package's init)."""
    app.extensions.setdefault("nav_items", []).append(item)


# nav_links per (app, course, role, page, script root, cookieless token): the same links for
# every request that shares these, and each costs a url_for (about 8 per page).
_NAV_MEMO: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
MAX_NAV_MEMO = 2048


def nav_links(cid: int, role: str, current_endpoint: str | None) -> list[dict[str, Any]]:
    """The navigation links this role sees in a context, marking the current one."""
    from flask import g, request, url_for
    token = (g.get("cookieless") or {}).get("token")  # cookieless URLs carry the session token
    key = (id(current_app._get_current_object()), cid, role, current_endpoint,  # type: ignore[attr-defined]
           request.script_root, token)
    found = _NAV_MEMO.get(key)
    if found is None:
        items = [NavItem("Home", "course.home", order=0),
                 *current_app.extensions.get("nav_items", [])]
        visible = sorted((i for i in items if i.role in (None, role)), key=lambda i: i.order)
        found = [{"label": i.label, "url": url_for(i.endpoint, cid=cid),
                  "current": current_endpoint == i.endpoint} for i in visible]
        if len(_NAV_MEMO) >= MAX_NAV_MEMO:
            _NAV_MEMO.clear()
        _NAV_MEMO[key] = found
    return found
