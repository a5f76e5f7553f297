"""The image upload form and the alt-text form of the course images page."""
from flask_wtf.file import FileField
from wtforms.fields import BooleanField, TextAreaField
from wtforms.validators import Length

from course.forms import AppForm
from quizzes.media.images import MAX_ALT


class ImageUploadForm(AppForm):
    """One image, its alt text, and the decorative switch."""

    image = FileField("Image file (PNG, JPEG or SVG, up to 512 KB)")
    alt = TextAreaField("Alt text: what the image shows, for someone who cannot see it",
                        validators=[Length(max=MAX_ALT)])
    decorative = BooleanField("Decorative: it adds nothing the text does not say (screen readers skip it)")


class AltForm(AppForm):
    """A new alt text, or the decorative switch, for an image already stored."""

    alt = TextAreaField("Alt text", validators=[Length(max=MAX_ALT)])
    decorative = BooleanField("Decorative")
