"""Handout rendering: plain-value template contexts and tagged, accessible PDFs via WeasyPrint."""

from __future__ import annotations

import functools
import pathlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
import weasyprint

from exports.content import Handout, get_handout, get_handouts
from exports.fetcher import SafeFetcher, static_url
from exports.languages import choice_langs, labels, long_date, review_line
from exports.stable_ids import stable_tag_ids

TEMPLATE_DIR = pathlib.Path(__file__).resolve().parent / "templates"
PAPERS = {"letter": "letter", "a4": "A4"}
BODY_PT = {False: 14, True: 18}
NOTES_MAX = 1000
RENDERER_VERSION = "1"
# With no clinic profile the name falls back to "Your clinic" and the phone stays empty, so the
# handout prints a blank line to write the number on (never a phrase where a number belongs).
PLACEHOLDER_CLINIC = {
    "name": "Your clinic", "department": "", "phone": "",
    "address": "", "website": "", "logo_data_uri": "",
}
CLINIC_LIMITS = {"name": 120, "department": 120, "phone": 40, "address": 300, "website": 200}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class RenderOptions:
    """What a clinic chooses for a print run: paper size, large print and a short note."""

    paper: str = "letter"
    large_print: bool = False
    notes: str = ""
    lang: str = "en"  # "en", "es", or "en+es" for a bilingual packet (English, then Spanish)

    def __post_init__(self) -> None:
        """Refuse unknown paper sizes and languages early, with a clear message."""
        if self.paper not in PAPERS:
            raise ValueError(f"paper must be one of {', '.join(PAPERS)}, not {self.paper!r}")
        choice_langs(self.lang)


def clean_text(value: Any, limit: int) -> str:
    """Plain text only: normalised, control and bidi-override characters removed, length-capped."""
    text = unicodedata.normalize("NFC", str(value or "")).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text[:limit].rstrip()


def clean_notes(notes: str) -> str:
    """Clinician notes as safe plain text of at most NOTES_MAX characters (escaped on output)."""
    return clean_text(notes, NOTES_MAX)


def clean_clinic(clinic: Mapping[str, Any] | None) -> dict[str, Any]:
    """Clinic values as short plain strings; an empty name falls back to the placeholder, and a
    phone with no digit in it (empty, "ask at reception") counts as no phone."""
    source = dict(clinic or {})
    result: dict[str, Any] = {
        key: " ".join(clean_text(source.get(key), limit).split())
        for key, limit in CLINIC_LIMITS.items()
    }
    result["address"] = clean_text(source.get("address"), CLINIC_LIMITS["address"])
    logo = str(source.get("logo_data_uri") or "")
    # Only a data: URI built by exports.logo from validated bytes may reach the template.
    result["logo_data_uri"] = logo if logo.startswith("data:image/") else ""
    # Values cleaned once already (clinic_dict(None) gives "Your clinic") stay a placeholder,
    # so a Spanish handout still prints its own "Su clínica".
    result["has_profile"] = bool(result["name"]) and source.get("has_profile") is not False
    result["has_phone"] = any(ch.isdigit() for ch in result["phone"])
    if not result["has_phone"]:
        result["phone"] = PLACEHOLDER_CLINIC["phone"]
    result["name"] = result["name"] or PLACEHOLDER_CLINIC["name"]
    return result


def handout_context(handout: Handout, clinic: Mapping[str, Any],
                    options: RenderOptions) -> dict[str, Any]:
    """Everything one handout template needs, as str/int/bool and lists/dicts of them."""
    words = labels(handout.lang)
    clinic_values = clean_clinic(clinic)
    if not clinic_values["has_profile"]:
        clinic_values["name"] = words["your_clinic"]
    return {
        "slug": handout.slug,
        "lang": handout.lang,
        "t": words,
        # Clinic staff only (handout page, CLI); the PDF templates never print it.
        "review_note": review_line(handout.lang, handout.review_status, handout.reviewed_by),
        "anchor": f"h-{handout.slug}" if handout.lang == "en" else f"h-{handout.slug}-{handout.lang}",
        "title": handout.title,
        "main_message": handout.main_message,
        "written": long_date(handout.written, handout.lang),
        "reviewed": long_date(handout.reviewed, handout.lang),
        "written_iso": handout.written.isoformat(),
        "reviewed_iso": handout.reviewed.isoformat(),
        "sections": [_section_context(s) for s in handout.sections],
        "call_team": list(handout.call_team),
        "emergency": list(handout.emergency),
        "off_label": handout.off_label,
        "sources": list(handout.sources),
        "disclaimer": handout.disclaimer,
        "version": handout.version,
        "clinic": clinic_values,
        "notes": clean_notes(options.notes),
        "large_print": options.large_print,
    }


def document_context(handouts: list[Handout], clinic: Mapping[str, Any],
                     options: RenderOptions) -> dict[str, Any]:
    """The whole document: one handout, or a packet with a cover page and contents."""
    items = [handout_context(h, clinic, options) for h in handouts]
    langs = list(dict.fromkeys(item["lang"] for item in items))
    clinic_values = dict(items[0]["clinic"])
    packet = len(items) > 1
    covers = [{"lang": lang, "t": labels(lang),
               "clinic_name": next(i["clinic"]["name"] for i in items if i["lang"] == lang)}
              for lang in langs]
    title = items[0]["title"] if not packet else " / ".join(
        c["t"]["packet_title"].format(clinic=c["clinic_name"]) for c in covers)
    return {
        "title": title,
        # A bilingual packet is tagged English, and each Spanish part carries lang="es".
        "lang": langs[0],
        "t": covers[0]["t"],
        "covers": covers,
        "packet": packet,
        "handouts": items,
        "clinic": clinic_values,
        "notes": clean_notes(options.notes),
        "paper": PAPERS[options.paper],
        "body_pt": BODY_PT[options.large_print],
        "large_print": options.large_print,
        "stylesheet": static_url("exports/print.css"),
        "asset_base": static_url("exports/"),
    }


def build_context(slugs: list[str], clinic: Mapping[str, Any], options: RenderOptions,
                  handouts: tuple[Handout, ...] | None = None) -> dict[str, Any]:
    """Context for the chosen slugs (in the order given); KeyError for an unknown slug."""
    if not slugs:
        raise ValueError("choose at least one handout")
    langs = choice_langs(options.lang)
    library = handouts if handouts is not None else tuple(
        h for lang in langs for h in get_handouts(lang))
    chosen = [get_handout(slug, library, lang) for lang in langs for slug in dict.fromkeys(slugs)]
    return document_context(chosen, clinic, options)


def context_html(context: Mapping[str, Any]) -> str:
    """Fill the PDF document template with a context from build_context."""
    return _environment().get_template("exports/pdf/document.html").render(context)


def render_html(slugs: list[str], clinic: Mapping[str, Any], options: RenderOptions,
                handouts: tuple[Handout, ...] | None = None) -> str:
    """The HTML WeasyPrint lays out; handouts defaults to the shipped content."""
    return context_html(build_context(slugs, clinic, options, handouts))


def render_pdf(slugs: list[str], clinic: Mapping[str, Any], paper: str = "letter",
               large_print: bool = False, notes: str = "",
               handouts: tuple[Handout, ...] | None = None, lang: str = "en") -> bytes:
    """Render one handout, or a packet of several, as a tagged PDF/UA-1 document."""
    options = RenderOptions(paper=paper, large_print=large_print, notes=notes, lang=lang)
    return html_to_pdf(render_html(slugs, clinic, options, handouts))


def html_to_pdf(html: str, fetcher: SafeFetcher | None = None) -> bytes:
    """Lay out HTML with the locked-down fetcher; no dates or random IDs, so output is stable."""
    document = weasyprint.HTML(string=html, url_fetcher=fetcher or SafeFetcher())
    with stable_tag_ids():
        return document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=False)


def _section_context(section: Any) -> dict[str, Any]:
    """Plain values for one section; templates find figures under their asset_base."""
    figure = None
    if section.figure is not None:
        figure = {"path": f"figures/{section.figure.file}", "alt": section.figure.alt,
                  "caption": section.figure.caption}
    return {"heading": section.heading, "html": section.html,
            "actions": list(section.actions), "figure": figure}


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    """The Jinja environment for PDF templates: autoescaped, no Flask app needed."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
