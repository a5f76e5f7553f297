"""First loader pass: read module folders and front matter into raw records, before rendering."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from course.content import ContentError
from course.markdown import heading_levels
from modules.fields import Fields, split_front_matter
from modules.glossary import parse_terms
from modules.schema import Reference, Term

REPO_ROOT = Path(__file__).resolve().parents[1]
NUMBERED = re.compile(r"^(\d\d)-([a-z0-9]+(?:-[a-z0-9]+)*)$")
MODULE_KEYS = ("title", "slug", "summary", "objectives", "minutes", "reviewed", "key_terms",
               "references", "sections")
SECTION_KEYS = ("title", "slug", "practice", "check")
RESERVED_SECTION_SLUGS = frozenset({"references"})


@dataclass(frozen=True)
class RawSection:
    """A section file with validated metadata and its still-unrendered body."""

    file: str
    number: int
    slug: str
    title: str
    fields: Fields
    body: str


@dataclass(frozen=True)
class RawModule:
    """A module folder with validated metadata and its still-unrendered Markdown."""

    file: str
    number: int
    slug: str
    title: str
    summary: str
    objectives: tuple[str, ...]
    minutes: int
    reviewed: dt.date
    key_terms: tuple[Term, ...]
    references: tuple[Reference, ...]
    body: str
    sections: tuple[RawSection, ...]


def display(path: Path) -> str:
    """Name a file the way error messages do: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def module_folders(root: Path) -> list[Path]:
    """Return the ``NN-slug`` folders under ``root`` in order."""
    if not root.is_dir():
        raise ContentError(f"{display(root)}: content folder does not exist")
    return sorted(p for p in root.iterdir() if p.is_dir() and re.match(r"^\d\d-", p.name))


def read_module(folder: Path) -> RawModule:
    """Read and validate ``module.md`` and every section file of one module folder."""
    number, folder_slug = _numbered(folder, folder.name)
    path = folder / "module.md"
    file = display(path)
    if not path.is_file():
        raise ContentError(f"{file}: module.md is missing")
    data, body = split_front_matter(path.read_text(encoding="utf-8"), file)
    f = Fields(data, file, "", MODULE_KEYS)
    slug = _matching_slug(f, folder_slug, folder.name)
    check_body(file, body)
    return RawModule(
        file=file, number=number, slug=slug, title=f.line("title"), summary=f.line("summary"),
        objectives=f.strings("objectives", minimum=2), minutes=f.integer("minutes"),
        reviewed=f.date("reviewed"), key_terms=parse_terms(f, slug),
        references=_references(f), body=body, sections=_sections(f, folder),
    )


def check_body(file: str, body: str) -> None:
    """Require a non-empty body whose headings start at level 2 and never skip a level."""
    if not body.strip():
        raise ContentError(f"{file}: body is empty")
    previous = 1
    for level in heading_levels(body):
        if level < 2:
            raise ContentError(f"{file}: body has a level-1 heading; the page title is the only "
                               "level-1 heading, so start at ##")
        if level > 4 or level > previous + 1:
            raise ContentError(
                f"{file}: body heading level {level} follows level {previous}; go down one "
                "level at a time, to #### at most"
            )
        previous = level


def _numbered(path: Path, name: str) -> tuple[int, str]:
    """Split ``NN-slug`` into its number and slug."""
    match = NUMBERED.match(name)
    if not match:
        raise ContentError(f"{display(path)}: name must be NN-slug (two digits, a hyphen, a slug)")
    return int(match.group(1)), match.group(2)


def _matching_slug(f: Fields, expected: str, name: str) -> str:
    """Return the front-matter slug after checking it agrees with the file or folder name."""
    slug = f.slug("slug")
    if slug != expected:
        raise f.error("slug", f"'{slug}' does not match the name '{name}'")
    return slug


def _references(f: Fields) -> tuple[Reference, ...]:
    """Read a module's ``references`` list: unique ids, full citations, optional http(s) URL."""
    refs: list[Reference] = []
    for child in f.children("references", ("id", "citation", "url"), minimum=1):
        ref_id = child.slug("id")
        if any(r.id == ref_id for r in refs):
            raise child.error("id", f"'{ref_id}' is used by another reference")
        url = child.line("url") if child.has("url") else None
        if url is not None and not re.match(r"^https?://\S+$", url):
            raise child.error("url", f"'{url}' must be an http(s) URL")
        refs.append(Reference(id=ref_id, citation=child.line("citation"), url=url))
    return tuple(refs)


def _sections(f: Fields, folder: Path) -> tuple[RawSection, ...]:
    """Read the section files, checking they match the ordered ``sections`` list exactly."""
    listed = f.strings("sections", minimum=1)
    files = {}
    for path in sorted(folder.glob("*.md")):
        if path.name == "module.md":
            continue
        number, slug = _numbered(path, path.stem)
        if slug in files:
            raise ContentError(f"{display(path)}: another file already holds section '{slug}'")
        files[slug] = (number, path)
    for i, slug in enumerate(listed):
        if slug not in files:
            raise f.error(f"sections[{i}]", f"'{slug}' has no file NN-{slug}.md in {folder.name}")
    for slug, (_, path) in files.items():
        if slug not in listed:
            raise ContentError(f"{display(path)}: section '{slug}' is not listed in module.md")
    if len(set(listed)) != len(listed):
        raise f.error("sections", "lists a section twice")
    if sorted(listed, key=lambda s: files[s][0]) != list(listed):
        raise f.error("sections", "are not in the order of their file numbers")
    return tuple(_read_section(files[slug][1], files[slug][0], slug) for slug in listed)


def _read_section(path: Path, number: int, expected_slug: str) -> RawSection:
    """Read one section file's front matter and body."""
    file = display(path)
    data, body = split_front_matter(path.read_text(encoding="utf-8"), file)
    f = Fields(data, file, "", SECTION_KEYS)
    slug = _matching_slug(f, expected_slug, path.name)
    if slug in RESERVED_SECTION_SLUGS:
        raise f.error("slug", f"'{slug}' is reserved for the module's references page")
    check_body(file, body)
    return RawSection(file=file, number=number, slug=slug, title=f.line("title"), fields=f,
                      body=body)
