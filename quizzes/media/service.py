"""Course images: store an upload, list, change alt text, delete, and resolve references per course."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context, url_for
from sqlalchemy import delete, select

from course.db import db
from course.markdown import Resolvers
from quizzes.media.images import EXTENSIONS, ImageRefused, clean_alt, clean_upload
from quizzes.media.models import QuestionImage
from quizzes.media.refs import reference, src_id

MAX_IMAGES = 500  # per course: far more than a bank needs, and a bound on what a page lists


@dataclass(frozen=True)
class ImageInfo:
    """What a page needs about an image: never its bytes."""

    id: int
    sha256: str
    mime: str
    name: str
    alt: str
    decorative: bool
    width: int | None
    height: int | None

    @property
    def filename(self) -> str:
        """The URL's file part: id, content hash and type, so a URL never changes meaning."""
        return f"{self.id}-{self.sha256[:16]}.{EXTENSIONS.get(self.mime, 'bin')}"

    @property
    def reference(self) -> str:
        """The Markdown an author pastes into a stem, option or chart tab."""
        return reference(self.id, self.alt)


_INFO_COLUMNS = (QuestionImage.id, QuestionImage.sha256, QuestionImage.mime, QuestionImage.name,
                 QuestionImage.alt, QuestionImage.decorative, QuestionImage.width, QuestionImage.height)


def save_image(context_id: int, user_id: int | None, data: bytes, filename: str, alt: str,
               decorative: bool) -> QuestionImage:
    """Clean and store one upload in a course; ImageRefused (with its status) says why not."""
    text = clean_alt(alt, decorative)
    clean = clean_upload(data, filename)
    count = len(db.session.scalars(select(QuestionImage.id).where(
        QuestionImage.context_id == context_id).limit(MAX_IMAGES)).all())
    if count >= MAX_IMAGES:
        raise ImageRefused(f"This course already holds {MAX_IMAGES} images; delete unused ones first.", 413)
    image = QuestionImage(context_id=context_id, sha256=clean.sha256, mime=clean.mime, data=clean.data,
                          width=clean.width, height=clean.height, name=clean.name, alt=text,
                          decorative=decorative, created_by=user_id)
    db.session.add(image)
    db.session.commit()
    return image


def course_images(context_id: int) -> list[ImageInfo]:
    """Every image of one course, newest first, without their bytes."""
    rows = db.session.execute(select(*_INFO_COLUMNS).where(QuestionImage.context_id == context_id)
                              .order_by(QuestionImage.id.desc()).limit(MAX_IMAGES))
    return [ImageInfo(*row) for row in rows]


def get_image(context_id: int, image_id: int) -> QuestionImage | None:
    """One image with its bytes, only from this course (another course's id finds nothing)."""
    return db.session.scalars(select(QuestionImage).where(
        QuestionImage.context_id == context_id, QuestionImage.id == image_id)).first()


def update_alt(context_id: int, image_id: int, alt: str, decorative: bool) -> bool:
    """Change an image's alt text or decorative switch; False when the course has no such image."""
    image = get_image(context_id, image_id)
    if image is None:
        return False
    image.alt, image.decorative = clean_alt(alt, decorative), decorative
    db.session.commit()
    return True


def delete_image(context_id: int, image_id: int) -> bool:
    """Delete an image of this course; questions that name it then show "[image not available]"."""
    result = db.session.execute(delete(QuestionImage).where(
        QuestionImage.context_id == context_id, QuestionImage.id == image_id))
    db.session.commit()
    return bool(getattr(result, "rowcount", 0))


def _request_images(context_id: int) -> dict[int, ImageInfo]:
    """The course's images, read once per request and only when a text names one."""
    cache: dict[int, dict[int, ImageInfo]] = g.setdefault("quiz_images", {})
    if context_id not in cache:
        cache[context_id] = {info.id: info for info in course_images(context_id)}
    return cache[context_id]


def resolve(src: str, alt: str) -> tuple[str, str] | None:
    """An ``image:N`` src to the current course's image URL and alt; None when it has no such image."""
    image_id = src_id(src)
    context = g.get("context") if has_request_context() else None
    if image_id is None or context is None:
        return None if image_id is not None else (src, alt)
    info = _request_images(context.id).get(image_id)
    if info is None:
        return None
    # A decorative image is silent; otherwise the alt written in the reference wins, then the stored one.
    text = "" if info.decorative else (alt.strip() or info.alt)
    return url_for("quizzes.course_image", cid=context.id, filename=info.filename), text


RESOLVERS = Resolvers(image=resolve)
