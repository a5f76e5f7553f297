"""Content checks on handouts beyond reading grade: PEMAT-P scores, phone slots, box wording."""

from __future__ import annotations

import re
from typing import Any

from course.content import ContentError
from exports.content import Handout, get_handouts, load_handouts
from exports.pemat import PASS_PERCENT, score
from exports.render import RenderOptions, render_html

# A phone number belongs to the clinic profile, never to handout text: a written-in number
# (real or fake) or a placeholder such as xxx-xxxx or [phone] is an error. Blank lines
# (____) are fine: tools such as a refill log leave them for the patient to fill in.
PHONE_IN_TEXT = re.compile(
    r"\(?\b\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b|\b\d{3}[-.]\d{4}\b"
    r"|\b[xX#]{3}[-. ][xX#]{3,4}\b|\[\s*(?:phone|tel|number)[^\]]*\]",
)
# The places the templates print the clinic's phone: after "Phone:" or between "Call" and "if:".
PHONE_SLOT = re.compile(
    r"Phone:\s*(?:<strong>)?(?P<a>[^<]*)|Call\s+<strong>(?P<b>[^<]*)</strong>\s+if:")
WRITE_IN = 'class="write-in"'
BOX_LEADS = {"call_team": "Call your care team if", "emergency": "Get emergency help if"}


def placeholder_phones(text: str) -> list[str]:
    """Phone numbers or phone placeholders written into handout text."""
    return [m.group(0) for m in PHONE_IN_TEXT.finditer(text)]


def phone_slot_problems(html: str) -> list[str]:
    """Rendered phone slots that hold words instead of a number or a blank write-in line."""
    problems = []
    for match in PHONE_SLOT.finditer(html):
        value = " ".join((match.group("a") or match.group("b") or "").split())
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
    html = render_html([handout.slug], {}, RenderOptions(), library)
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
    """Check every handout; the PEMAT-P scores by slug for the content check's report."""
    library = handouts if handouts is not None else get_handouts()
    return {"handout_pemat": {h.slug: check_handout(h, library) for h in library}}


def content_check() -> dict[str, Any]:
    """Content check for `flask content check`: load every handout afresh and check it."""
    return summary(load_handouts())


def _check_box_items(where: str, handout: Handout) -> None:
    """Box items follow a lead that ends in 'if', so an item must not start with 'If' again."""
    for key, lead in BOX_LEADS.items():
        for item in getattr(handout, key):
            if re.match(r"\s*(?:<[^>]+>\s*)*if\b", item, re.IGNORECASE):
                raise ContentError(f"{where}: {key} item starts with 'If' after the lead "
                                   f"'{lead}…': '{item[:50]}'")
