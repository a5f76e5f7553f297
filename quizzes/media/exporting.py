"""Course images for the export formats: the files an item needs, and its text pointing at them.

Used by the QTI package (``quizzes/interchange/qti.py``: files in the zip, referenced as
``$IMS-CC-FILEBASE$/images/<name>``) and by Moodle XML (base64 ``<file>`` elements beside the
text that names them, referenced as ``@@PLUGINFILE@@/<name>``). One query reads every image the
exported items name; the writers stay pure.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from course.db import db
from quizzes.interchange.qti import IMAGE_DIR
from quizzes.media.models import QuestionImage
from quizzes.media.refs import image_ids, rewrite

MOODLE_BASE = "@@PLUGINFILE@@/"
QTI_BASE = f"$IMS-CC-FILEBASE$/{IMAGE_DIR}/"


@dataclass(frozen=True)
class ImageFile:
    """One image as an export writes it: a name unique in the export, its type, bytes and alt."""

    id: int
    name: str
    mime: str
    data: bytes
    alt: str

    @property
    def base64(self) -> str:
        """The bytes as Moodle XML's ``<file encoding="base64">`` holds them."""
        return base64.b64encode(self.data).decode("ascii")


@dataclass(frozen=True)
class ExportImages:
    """The images some items name, by id; rewrites their references for one format."""

    files: Mapping[int, ImageFile] = field(default_factory=dict)

    def rewrite(self, value: Any, base: str) -> Any:
        """The item (or text) with each known ``image:N`` pointing at ``base + name``.

        The reference's own alt text wins, else the image's; a decorative image keeps alt="".
        An id the course does not hold is left as it is (the writers then show its alt only).
        """
        def target(image_id: int, alt: str) -> tuple[str, str] | None:
            found = self.files.get(image_id)
            return None if found is None else (base + found.name, alt.strip() or found.alt)
        return rewrite(value, target)

    def files_in(self, value: Any) -> list[ImageFile]:
        """The files a text or an item names (before rewriting), first use first, each once."""
        return [self.files[i] for i in image_ids(value) if i in self.files]


def images_for(context_id: int | None, items: Iterable[Mapping[str, Any]]) -> ExportImages:
    """Every image of this course that the items name; the shipped bank (None) has none."""
    wanted = sorted({i for item in items for i in image_ids(dict(item))})
    if context_id is None or not wanted:
        return ExportImages()
    rows = db.session.scalars(select(QuestionImage).where(
        QuestionImage.context_id == context_id, QuestionImage.id.in_(wanted)))
    return ExportImages({im.id: ImageFile(im.id, f"{im.id}-{im.name}", im.mime, im.data,
                                          "" if im.decorative else im.alt) for im in rows})
