"""Content checks on handouts beyond reading grade: PEMAT-P scores, phone slots, box wording.

Both languages get the same checks: each Spanish handout carries its own PEMAT-P record and is
rendered in Spanish to find its phone slots.
"""

from __future__ import annotations

import re
from typing import Any

from course.content import ContentError
from exports.content import Handout, get_handouts, load_handouts
from exports.languages import LABELS, LANGS
from exports.pemat import PASS_PERCENT, score
from exports.render import RenderOptions, render_html

# A phone number belongs to the clinic profile, never to handout text: a written-in number
# (real or fake) or a placeholder such as xxx-xxxx or [phone] is an error. Blank lines
# (____) are fine: tools such as a refill log leave them for the patient to fill in.
PHONE_IN_TEXT = re.compile(
    r"\(?\b\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b|\b\d{3}[-.]\d{4}\b"
    r"|\b[xX#]{3}[-. ][xX#]{3,4}\b|\[\s*(?:phone|tel|number|tel[eé]fono|n[uú]mero)[^\]]*\]",
    re.IGNORECASE,
)


def _phone_slot(lang: str) -> str:
    """Where one language's templates print the clinic's phone: after "Phone:", or between
    "Call" and "if:" ("Teléfono:", or "Llame al" and "si:" in Spanish)."""
    words = LABELS[lang]
    return (rf"{re.escape(words['phone'])}:\s*(?:<strong>)?(?P<after_{lang}>[^<]*)"
            rf"|{re.escape(words['call_before'].strip())}\s+<strong>(?P<call_{lang}>[^<]*)"
            rf"</strong>\s*{re.escape(words['call_after'].strip())}")


PHONE_SLOT = re.compile("|".join(_phone_slot(lang) for lang in LANGS))
WRITE_IN = 'class="write-in"'
# The box leads end in "if" ("si" in Spanish), so an item must not repeat it.
BOX_LEADS = {lang: {box: LABELS[lang][box].rstrip("…") for box in ("call_team", "emergency")}
             for lang in LANGS}
LEAD_WORD = {"en": "if", "es": "si"}


def placeholder_phones(text: str) -> list[str]:
    """Phone numbers or phone placeholders written into handout text."""
    return [m.group(0) for m in PHONE_IN_TEXT.finditer(text)]


def phone_slot_problems(html: str) -> list[str]:
    """Rendered phone slots that hold words instead of a number or a blank write-in line."""
    problems = []
    for match in PHONE_SLOT.finditer(html):
        value = " ".join(next((v for v in match.groups() if v), "").split())
        if value and not any(ch.isdigit() for ch in value):
            problems.append(value)
    return problems


def check_handout(handout: Handout, library: tuple[Handout, ...]) -> dict[str, float]:
    """Raise ContentError for one broken handout; return its PEMAT-P scores."""
    where = f"handout {handout.slug}"
    _check_box_items(where, handout)
    text = " ".join([handout.main_message, handout.off_label, *handout.call_team,
                     *handout.emergency, *(s.html for s in handout.sections),
                     *(a for s in handout.sections for a in s.actions)])
    found = placeholder_phones(text)
    if found:
        raise ContentError(f"{where}: a phone number or placeholder in the text ({found[0]}); "
                           "the clinic's number comes from the clinic profile")
    html = render_html([handout.slug], {}, RenderOptions(lang=handout.lang), library)
    slots = phone_slot_problems(html)
    if slots or WRITE_IN not in html:
        raise ContentError(f"{where}: with no clinic profile the phone must be a blank line to "
                           f"write on, not '{slots[0] if slots else 'missing'}'")
    if not handout.pemat:
        raise ContentError(f"{where}: pemat (the PEMAT-P item ratings) is missing")
    result = score(handout.pemat)
    if not result.passes:
        raise ContentError(f"{where}: PEMAT-P understandability {result.understandability:g}% "
                           f"and actionability {result.actionability:g}%; both must be at "
                           f"least {PASS_PERCENT:g}%")
    return {"understandability": result.understandability,
            "actionability": result.actionability}


def summary(handouts: tuple[Handout, ...] | None = None) -> dict[str, Any]:
    """Check every handout of one language; the PEMAT-P scores by slug for the report
    (`handout_pemat` for English, `handout_pemat_es` for Spanish)."""
    library = handouts if handouts is not None else get_handouts()
    langs = {h.lang for h in library} or {"en"}
    if len(langs) > 1:
        raise ValueError("summary checks one language at a time")
    lang = langs.pop()
    key = "handout_pemat" if lang == "en" else f"handout_pemat_{lang}"
    return {key: {h.slug: check_handout(h, library) for h in library}}


def content_check() -> dict[str, Any]:
    """Content check for `flask content check`: load every handout afresh, in every language,
    and check it."""
    report: dict[str, Any] = {}
    for lang in LANGS:
        report.update(summary(load_handouts(lang=lang)))
    return report


def _check_box_items(where: str, handout: Handout) -> None:
    """Box items follow a lead that ends in 'if' ('si'), so an item must not start with it."""
    word = LEAD_WORD[handout.lang]
    for key, lead in BOX_LEADS[handout.lang].items():
        for item in getattr(handout, key):
            if re.match(rf"\s*(?:<[^>]+>\s*)*{word}\b", item, re.IGNORECASE):
                raise ContentError(f"{where}: {key} item starts with '{word.title()}' after "
                                   f"the lead '{lead}…': '{item[:50]}'")
