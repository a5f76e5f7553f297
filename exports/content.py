"""Patient handout content: load one YAML file per topic, validate it, render its Markdown once.

The handout's data classes are in content_model.py and the reading of one file in
content_file.py; both are re-exported here, where every caller looks for them.
"""

from __future__ import annotations

import functools
import pathlib

from course.content import ContentError
from exports.content_file import FIGURE_DIR, SHARED_FILE, load_handout, load_shared
from exports.content_model import DEFAULT_ORDER, Figure, Handout, Section, Shared
from exports.languages import LANGS

__all__ = ["DEFAULT_ORDER", "FIGURE_DIR", "HANDOUT_DIR", "SHARED_FILE", "Figure", "Handout",
           "Section", "Shared", "get_handout", "get_handouts", "handout_dir", "load_handout",
           "load_handouts", "load_shared"]

HANDOUT_DIR = pathlib.Path(__file__).resolve().parent / "handouts"


def handout_dir(lang: str = "en") -> pathlib.Path:
    """Where one language's handouts live: English at the top, others in a folder per language."""
    if lang not in LANGS:
        raise ValueError(f"unknown handout language {lang!r}")
    return HANDOUT_DIR if lang == "en" else HANDOUT_DIR / lang


def load_handouts(root: pathlib.Path | None = None, lang: str = "en") -> tuple[Handout, ...]:
    """Load and validate every handout of one language under root, in reading order."""
    folder = root or handout_dir(lang)
    shared = load_shared(folder / SHARED_FILE)
    files = sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))
    if not files:
        raise ContentError(f"{folder}: no handout files found")
    handouts = (load_handout(path, shared, lang) for path in files)
    return tuple(sorted(handouts, key=lambda h: (h.order, h.slug)))


@functools.lru_cache(maxsize=len(LANGS))
def get_handouts(lang: str = "en") -> tuple[Handout, ...]:
    """Return one language's shipped handouts, parsed once per process (content is data)."""
    return load_handouts(lang=lang)


def get_handout(slug: str, handouts: tuple[Handout, ...] | None = None,
                lang: str = "en") -> Handout:
    """Return one handout by slug and language; KeyError when there is no such handout."""
    for handout in handouts if handouts is not None else get_handouts(lang):
        if handout.slug == slug and handout.lang == lang:
            return handout
    raise KeyError(slug)
