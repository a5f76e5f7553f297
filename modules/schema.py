"""Frozen dataclasses that a loaded course is made of; all HTML fields are already sanitised."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PRACTICE_TYPES: tuple[str, ...] = ("ashworth", "mrc", "emg", "atrophy", "ladder", "choice")


@dataclass(frozen=True)
class Option:
    """One answer a learner can pick; ``why`` is the feedback when it is chosen wrongly."""

    id: str
    text_html: str
    correct: bool
    why_html: str = ""


@dataclass(frozen=True)
class Step:
    """One step of a ``ladder`` item."""

    id: str
    text_html: str


@dataclass(frozen=True)
class PracticeItem:
    """A practice or knowledge-check item of any type.

    Single-answer types (ashworth, mrc, emg, atrophy, choice) fill ``options``, exactly one of
    which is correct; ``ladder`` fills ``steps`` in the correct order; ``emg`` also sets ``trace``.
    """

    id: str
    type: str
    prompt_html: str
    explanation_html: str
    options: tuple[Option, ...] = ()
    steps: tuple[Step, ...] = ()
    trace: str | None = None

    @property
    def answer(self) -> str | None:
        """Return the id of the correct option, or None for a ladder."""
        return next((o.id for o in self.options if o.correct), None)

    @property
    def expected(self) -> str | list[str]:
        """Return the expected submission: an option id, or the step ids in order."""
        if self.type == "ladder":
            return [step.id for step in self.steps]
        return self.answer or ""

    def option(self, option_id: str) -> Option:
        """Return the option with this id; KeyError if there is none."""
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(option_id)


@dataclass(frozen=True)
class Reference:
    """A source cited by a module; ``citation`` is the full plain-text citation."""

    id: str
    citation: str
    url: str | None = None

    @property
    def anchor(self) -> str:
        """Return the HTML id of this reference on the module's references page."""
        return f"ref-{self.id}"


@dataclass(frozen=True)
class Term:
    """A glossary entry, defined once in one module's key_terms."""

    slug: str
    term: str
    definition: str
    module_slug: str

    @property
    def anchor(self) -> str:
        """Return the HTML id of this term on the glossary page."""
        return f"term-{self.slug}"


@dataclass(frozen=True)
class Section:
    """One page of a module: rendered body, practice items and the end-of-section check."""

    slug: str
    title: str
    html: str
    practice: tuple[PracticeItem, ...]
    checks: tuple[PracticeItem, ...]
    number: int

    @property
    def items(self) -> tuple[PracticeItem, ...]:
        """Return practice items followed by check items."""
        return self.practice + self.checks


@dataclass(frozen=True)
class Module:
    """One teaching module with its metadata and ordered sections."""

    slug: str
    title: str
    summary: str
    objectives: tuple[str, ...]
    minutes: int
    reviewed: dt.date
    key_terms: tuple[Term, ...]
    references: tuple[Reference, ...]
    sections: tuple[Section, ...]
    intro_html: str
    number: int

    def section(self, slug: str) -> Section:
        """Return the section with this slug; KeyError if there is none."""
        for section in self.sections:
            if section.slug == slug:
                return section
        raise KeyError(slug)

    def item(self, item_id: str) -> PracticeItem:
        """Return the practice or check item with this id in any section; KeyError if none."""
        for section in self.sections:
            for item in section.items:
                if item.id == item_id:
                    return item
        raise KeyError(item_id)

    def neighbours(self, slug: str) -> tuple[Section | None, Section | None]:
        """Return the sections before and after ``slug`` (None at either end)."""
        slugs = self._slugs()
        if slug not in slugs:
            raise KeyError(slug)
        index = slugs.index(slug)
        before = self.sections[index - 1] if index > 0 else None
        after = self.sections[index + 1] if index + 1 < len(self.sections) else None
        return before, after

    def _slugs(self) -> tuple[str, ...]:
        """Return the section slugs in order."""
        return tuple(s.slug for s in self.sections)


@dataclass(frozen=True)
class Course:
    """All teaching modules in order, plus the glossary built from their key terms."""

    modules: tuple[Module, ...]
    glossary: tuple[Term, ...]

    def module(self, slug: str) -> Module:
        """Return the module with this slug; KeyError if there is none."""
        for module in self.modules:
            if module.slug == slug:
                return module
        raise KeyError(slug)

    def term(self, slug: str) -> Term:
        """Return the glossary term with this slug; KeyError if there is none."""
        for term in self.glossary:
            if term.slug == slug:
                return term
        raise KeyError(slug)
