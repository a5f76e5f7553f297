"""Translated handouts against their English originals: same structure, and which are missing."""

from __future__ import annotations

from course.content import ContentError
from exports.content import Handout, load_handouts
from exports.languages import review_line


def _figure_name(section: object) -> str:
    """A section's drawing without its language suffix (pressure-points.es.svg -> pressure-points)."""
    figure = getattr(section, "figure", None)
    return figure.file.split(".")[0] if figure is not None else ""


def _shape(handout: Handout) -> list[tuple[int, str]]:
    """Per section: how many actions it lists and which drawing it shows."""
    return [(len(s.actions), _figure_name(s)) for s in handout.sections]


def parity_problems(original: Handout, translation: Handout) -> list[str]:
    """Where a translation's PEMAT structure (sections, action lists, drawings, boxes) differs."""
    problems = []
    if len(original.sections) != len(translation.sections):
        problems.append(f"{len(translation.sections)} sections, English has "
                        f"{len(original.sections)}")
    else:
        for index, (want, got) in enumerate(zip(_shape(original), _shape(translation),
                                                strict=True)):
            if want != got:
                problems.append(f"section {index + 1}: {got[0]} actions and drawing "
                                f"'{got[1]}', English has {want[0]} and '{want[1]}'")
    for box in ("call_team", "emergency"):
        want_n, got_n = len(getattr(original, box)), len(getattr(translation, box))
        if want_n != got_n:
            problems.append(f"{box}: {got_n} items, English has {want_n}")
    if bool(original.off_label) != bool(translation.off_label):
        problems.append("off_label note present in only one language")
    return problems


def translation_report(english: tuple[Handout, ...],
                       translated: tuple[Handout, ...]) -> dict[str, object]:
    """Counts per language, English handouts with no translation, translations out of step."""
    originals = {h.slug: h for h in english}
    orphans = sorted(h.slug for h in translated if h.slug not in originals)
    if orphans:
        raise ContentError(f"translated handouts with no English original: {', '.join(orphans)}")
    out_of_step = {h.slug: problems for h in translated
                   if (problems := parity_problems(originals[h.slug], h))}
    done = {h.slug for h in translated}
    return {
        "handouts_by_language": {"en": len(english), "es": len(translated)},
        "handouts_missing_es": sorted(set(originals) - done),
        "handouts_es_out_of_step": out_of_step,
        "handouts_es_review": {h.slug: review_line(h.lang, h.review_status, h.reviewed_by)
                               for h in translated},
    }


def content_check() -> dict[str, object]:
    """Content check for `flask content check`: how the Spanish handouts stand against English."""
    return translation_report(load_handouts(), load_handouts(lang="es"))
