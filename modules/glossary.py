"""Key terms of each module and the course glossary built from them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from course.content import ContentError
from modules.fields import SLUG, Fields
from modules.schema import Term

TERM_KEYS = ("term", "definition", "slug")


def slugify(text: str) -> str:
    """Turn a term into a slug: "Uhthoff's phenomenon" becomes "uhthoffs-phenomenon"."""
    text = re.sub(r"['\u2019]", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def parse_terms(module: Fields, module_slug: str) -> tuple[Term, ...]:
    """Read a module's ``key_terms`` list (at least one term)."""
    terms = []
    for child in module.children("key_terms", TERM_KEYS, minimum=1):
        term = child.line("term")
        slug = child.slug("slug") if child.has("slug") else slugify(term)
        if not SLUG.match(slug):
            raise child.error("term", f"'{term}' gives no usable slug; add a slug field")
        terms.append(Term(slug=slug, term=term, definition=child.text("definition"),
                          module_slug=module_slug))
    return tuple(terms)


def build_glossary(terms_by_file: Iterable[tuple[str, tuple[Term, ...]]]) -> tuple[Term, ...]:
    """Merge all modules' key terms, sorted by term; a slug defined twice is an error."""
    seen: dict[str, str] = {}
    merged: list[Term] = []
    for file, terms in terms_by_file:
        for term in terms:
            if term.slug in seen:
                raise ContentError(
                    f"{file}: key_terms '{term.term}' (slug '{term.slug}') is already "
                    f"defined in {seen[term.slug]}"
                )
            seen[term.slug] = file
            merged.append(term)
    return tuple(sorted(merged, key=lambda t: t.term.lower()))
