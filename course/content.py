"""Shared pieces for the content packages: the error every content loader raises."""


class ContentError(ValueError):
    """Broken course content; the message names the file and the field that is wrong."""
