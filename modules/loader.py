"""Load, validate and render the teaching modules once; the result is an immutable Course."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from course.content import ContentError
from modules.glossary import build_glossary
from modules.items import parse_items
from modules.links import FieldRenderer, LinkStyle, LinkTargets, module_resolvers
from modules.reading import RawModule, RawSection, display, module_folders, read_module
from modules.schema import Course, Module, Section

CONTENT_ROOT = Path(__file__).resolve().parent / "content"

__all__ = ["CONTENT_ROOT", "LinkStyle", "get_course", "load_course", "summary"]


def load_course(root: Path | None = None, links: LinkStyle | None = None) -> Course:
    """Parse every ``NN-slug`` module folder under ``root``, validate it and render its HTML."""
    root = CONTENT_ROOT if root is None else Path(root)
    raws = [read_module(folder) for folder in module_folders(root)]
    if not raws:
        raise ContentError(f"{display(root)}: no module folders (NN-slug) found")
    _require_unique_modules(raws)
    glossary = build_glossary((raw.file, raw.key_terms) for raw in raws)
    targets = LinkTargets(
        sections={raw.slug: frozenset(s.slug for s in raw.sections) for raw in raws},
        terms=frozenset(term.slug for term in glossary),
    )
    style = links or LinkStyle()
    return Course(
        modules=tuple(_build_module(raw, targets, style) for raw in raws),
        glossary=glossary,
    )


@functools.lru_cache(maxsize=1)
def get_course() -> Course:
    """Return the course from the default content folder, loaded once per process."""
    return load_course()


def summary(course: Course | None = None) -> dict[str, Any]:
    """Count what a course holds, for the CLI, health checks and tests."""
    course = get_course() if course is None else course
    sections = [s for m in course.modules for s in m.sections]
    return {
        "modules": len(course.modules),
        "sections": len(sections),
        "practice_items": sum(len(s.practice) for s in sections),
        "check_items": sum(len(s.checks) for s in sections),
        "references": sum(len(m.references) for m in course.modules),
        "terms": len(course.glossary),
        "module_list": [
            {
                "number": m.number,
                "slug": m.slug,
                "title": m.title,
                "reviewed": m.reviewed.isoformat(),
                "sections": len(m.sections),
                "minutes": m.minutes,
            }
            for m in course.modules
        ],
    }


def _require_unique_modules(raws: list[RawModule]) -> None:
    """Reject two module folders sharing a number or a slug."""
    numbers: dict[int, str] = {}
    slugs: dict[str, str] = {}
    for raw in raws:
        if raw.number in numbers:
            raise ContentError(f"{raw.file}: module number {raw.number:02d} is also used by "
                               f"{numbers[raw.number]}")
        if raw.slug in slugs:
            raise ContentError(f"{raw.file}: slug '{raw.slug}' is also used by {slugs[raw.slug]}")
        numbers[raw.number] = raw.file
        slugs[raw.slug] = raw.file


def _build_module(raw: RawModule, targets: LinkTargets, style: LinkStyle) -> Module:
    """Render one module's Markdown now that every link target is known."""
    resolvers = module_resolvers(style, targets, raw.references, raw.slug)
    item_files: dict[str, str] = {}
    sections = tuple(
        _build_section(s, FieldRenderer(s.file, resolvers), item_files) for s in raw.sections
    )
    return Module(
        slug=raw.slug, title=raw.title, summary=raw.summary, objectives=raw.objectives,
        minutes=raw.minutes, reviewed=raw.reviewed, key_terms=raw.key_terms,
        references=raw.references, sections=sections,
        intro_html=FieldRenderer(raw.file, resolvers).block(raw.body, "body"),
        number=raw.number,
    )


def _build_section(raw: RawSection, render: FieldRenderer, item_files: dict[str, str]) -> Section:
    """Render a section body and its items; item ids must be unique across the module."""
    practice = parse_items(raw.fields, "practice", render, minimum=0)
    checks = parse_items(raw.fields, "check", render, minimum=1)
    for key, items in (("practice", practice), ("check", checks)):
        for i, item in enumerate(items):
            if item.id in item_files:
                raise ContentError(f"{raw.file}: {key}[{i}].id '{item.id}' is already used in "
                                   f"{item_files[item.id]}")
            item_files[item.id] = raw.file
    return Section(
        slug=raw.slug, title=raw.title, html=render.block(raw.body, "body"),
        practice=practice, checks=checks, number=raw.number,
    )

