"""Validation and rewriting of the internal links (section:, term:, [ref:id]) in module Markdown."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from course.content import ContentError
from course.markdown import Citation, Resolvers, render_inline, render_markdown
from modules.schema import Reference

_EXTERNAL = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)


@dataclass(frozen=True)
class LinkStyle:
    """URL patterns for rendered internal links, relative to ``/c/<context>/modules/<module>/``.

    ``reference`` may name ``{module}``, the module whose text cites it, so that pages outside
    the module (a review session) can link to the right reference list.
    """

    section: str = "../{module}/{section}"
    module: str = "../{module}/"
    term: str = "../../glossary#{anchor}"
    reference: str = "references#{anchor}"


@dataclass(frozen=True)
class LinkTargets:
    """Everything a link may point at: sections per module, and glossary term slugs."""

    sections: Mapping[str, frozenset[str]] = field(default_factory=dict)
    terms: frozenset[str] = frozenset()


def module_resolvers(
    style: LinkStyle, targets: LinkTargets, references: tuple[Reference, ...], module: str = ""
) -> Resolvers:
    """Build the resolvers for Markdown inside one module (citations use its references)."""
    numbered = {ref.id: (n, ref) for n, ref in enumerate(references, start=1)}

    def link(href: str) -> str:
        """Validate one link target and return the href to emit."""
        return resolve_link(href, style, targets)

    def cite(ref_id: str) -> Citation:
        """Turn a citation id into a numbered superscript link."""
        if ref_id not in numbered:
            raise ContentError(f"cites [ref:{ref_id}], which is not in this module's references")
        number, ref = numbered[ref_id]
        href = style.reference.format(anchor=ref.anchor, id=ref.id, module=module)
        return Citation(href=href, label=f"[{number}]", title=ref.citation)

    return Resolvers(link=link, cite=cite)


def resolve_link(href: str, style: LinkStyle, targets: LinkTargets) -> str:
    """Map ``section:``/``term:`` targets to relative URLs; pass external and #anchor links."""
    if href.startswith("section:"):
        return _section_href(href, style, targets)
    if href.startswith("term:"):
        slug = href.removeprefix("term:")
        if slug not in targets.terms:
            raise ContentError(f"links to '{href}', which is not a key term of any module")
        return style.term.format(anchor=f"term-{slug}", term=slug)
    if href.startswith("#") or _EXTERNAL.match(href):
        return href
    raise ContentError(
        f"links to '{href}'; use section:, term:, http(s):, mailto: or a #anchor"
    )


def _section_href(href: str, style: LinkStyle, targets: LinkTargets) -> str:
    """Resolve ``section:module`` or ``section:module/section``."""
    module, _, section = href.removeprefix("section:").partition("/")
    if module not in targets.sections:
        raise ContentError(f"links to '{href}', but module '{module}' does not exist")
    if not section:
        return style.module.format(module=module)
    if section not in targets.sections[module]:
        raise ContentError(
            f"links to '{href}', but module '{module}' has no section '{section}'"
        )
    return style.section.format(module=module, section=section)


@dataclass(frozen=True)
class FieldRenderer:
    """Renders the Markdown fields of one file, prefixing any error with the file and field."""

    file: str
    resolvers: Resolvers

    def block(self, text: str, field_name: str) -> str:
        """Render block Markdown found in ``field_name``."""
        try:
            return render_markdown(text, self.resolvers)
        except ContentError as exc:
            raise ContentError(f"{self.file}: {field_name} {exc}") from None

    def inline(self, text: str, field_name: str) -> str:
        """Render one line of inline Markdown found in ``field_name``."""
        try:
            return render_inline(text, self.resolvers)
        except ContentError as exc:
            raise ContentError(f"{self.file}: {field_name} {exc}") from None
