"""Patient handout content as data: the validated handout, its sections and figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from exports.pemat import Rating

DEFAULT_ORDER = 100


@dataclass(frozen=True)
class Figure:
    """A simple SVG drawing shipped in the static folder, with the alt text readers hear."""

    file: str
    alt: str
    caption: str


@dataclass(frozen=True)
class Section:
    """One short part of a handout: a plain heading, body HTML and an optional action list."""

    heading: str
    html: str
    actions: tuple[str, ...]
    figure: Figure | None


@dataclass(frozen=True)
class Handout:
    """One validated patient handout; HTML fields are already sanitised."""

    slug: str
    title: str
    main_message: str
    written: date
    reviewed: date
    disclaimer: str
    sections: tuple[Section, ...]
    call_team: tuple[str, ...]
    emergency: tuple[str, ...]
    off_label: str
    sources: tuple[str, ...]
    version: str
    order: int = DEFAULT_ORDER
    pemat: tuple[Rating, ...] = ()  # item-by-item PEMAT-P ratings; the content check gates them
    lang: str = "en"
    # A translation is "pending" until a qualified medical translator or bilingual clinician
    # has checked it; reviewed_by then names them. Originals (English) leave both empty.
    review_status: str = ""
    reviewed_by: str = ""


@dataclass(frozen=True)
class Shared:
    """Text every handout shares: the disclaimers by key and the off-label drug names."""

    disclaimers: dict[str, str]
    off_label_drugs: tuple[str, ...]
