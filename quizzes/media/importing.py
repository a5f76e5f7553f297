"""Store the images of imported Moodle XML questions in the course, and point the text at them.

The images arrive already cleaned (``quizzes.interchange.moodle_files``). An image whose clean
bytes the course already holds is reused, so importing a file twice, or a course's own export,
adds no copies. Nothing is committed here: the import commits questions and images together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from sqlalchemy import func, select

from course.db import db
from quizzes.interchange.moodle_files import MARKDOWN_REF, ImportedImage, map_strings
from quizzes.media.images import ImageRefused
from quizzes.media.models import QuestionImage
from quizzes.media.refs import reference
from quizzes.media.service import MAX_IMAGES


class ImageStore:
    """One import's images for one course: found by content hash, else added (not committed)."""

    def __init__(self, context_id: int, user_id: int | None) -> None:
        """Read the course's image hashes once."""
        self.context_id, self.user_id = context_id, user_id
        rows = db.session.execute(select(QuestionImage.sha256, func.min(QuestionImage.id)).where(
            QuestionImage.context_id == context_id).group_by(QuestionImage.sha256))
        self.by_hash: dict[str, int] = {sha: image_id for sha, image_id in rows}
        self.count = db.session.scalar(select(func.count()).select_from(QuestionImage).where(
            QuestionImage.context_id == context_id)) or 0
        self.added = 0

    def _id_for(self, image: ImportedImage) -> int:
        """The course's image with these bytes, added when it has none."""
        found = self.by_hash.get(image.clean.sha256)
        if found is not None:
            return found
        if self.count >= MAX_IMAGES:
            raise ImageRefused(f"This course already holds {MAX_IMAGES} images; delete unused ones "
                               "before importing questions with more.", 413)
        clean = image.clean
        row = QuestionImage(context_id=self.context_id, sha256=clean.sha256, mime=clean.mime,
                            data=clean.data, width=clean.width, height=clean.height,
                            name=clean.name, alt=image.alt, decorative=image.decorative,
                            created_by=self.user_id)
        db.session.add(row)
        db.session.flush()
        self.by_hash[clean.sha256] = row.id
        self.count, self.added = self.count + 1, self.added + 1
        return row.id

    def place(self, item: dict[str, Any], images: Iterable[ImportedImage]) -> dict[str, Any]:
        """The item with each ``@@PLUGINFILE@@/name`` image pointing at the course's ``image:N``."""
        ids = {image.name: self._id_for(image) for image in images}
        if not ids:
            return item

        def swap(match: re.Match[str]) -> str:
            image_id = ids.get(unquote(match.group(2)))
            return match.group(0) if image_id is None else reference(image_id, match.group(1))
        return map_strings(item, lambda text: MARKDOWN_REF.sub(swap, text))
