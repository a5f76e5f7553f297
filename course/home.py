"""Course-home panels: each package contributes one, so the home view stays thin."""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app

from course.models import Context, User


@dataclass(frozen=True)
class Panel:
    """A block on the course home: a template and the values it renders."""

    template: str
    values: dict[str, Any]
    order: int = 50


PanelFn = Callable[[Context, User, str], "Panel | None"]


def add_panel(app: Any, fn: PanelFn) -> None:
    """Register a panel provider (called by each package's init)."""
    app.extensions.setdefault("home_panels", []).append(fn)


def panels_for(ctx: Context, user: User, role: str) -> list[Panel]:
    """Every package's panel for this user, in order."""
    found = [fn(ctx, user, role) for fn in current_app.extensions.get("home_panels", [])]
    return sorted((p for p in found if p is not None), key=lambda p: p.order)


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


def nav_links(cid: int, role: str, current_endpoint: str | None) -> list[dict[str, Any]]:
    """The navigation links this role sees in a context, marking the current one."""
    from flask import url_for
    items = [NavItem("Home", "course.home", order=0), *current_app.extensions.get("nav_items", [])]
    visible = sorted((i for i in items if i.role in (None, role)), key=lambda i: i.order)
    return [{"label": i.label, "url": url_for(i.endpoint, cid=cid),
             "current": current_endpoint == i.endpoint} for i in visible]
