"""Uploaded text files read as text: UTF-8 (a spreadsheet's BOM is fine), bounded, never binary."""
from __future__ import annotations


class UploadError(ValueError):
    """An upload that cannot be read as text; the message is shown to the person who sent it."""


def decode_text(raw: bytes, max_bytes: int, kind: str, error: type[Exception] = UploadError,
                save_as: str = "UTF-8") -> str:
    """The bytes as text, else ``error`` with a message naming ``kind`` ("CSV") and ``save_as``."""
    if not raw.strip():
        raise error("The file is empty.")
    if len(raw) > max_bytes:
        raise error(f"The file is larger than {max_bytes // 1024} KiB.")
    if b"\x00" in raw:
        raise error(f"This is not a {kind} text file (it contains binary data).")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"The file is not UTF-8 text (byte {exc.start} cannot be read). "
                    f"Save it as {save_as} and try again.") from exc
