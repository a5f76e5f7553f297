"""course.uploads.decode_text: the one reader of uploaded text files (CSV overrides, GIFT, Moodle XML)."""
import pytest

from course.uploads import UploadError, decode_text
from quizzes.accommodations.csv_io import CsvError, decode
from quizzes.interchange.transfer import TransferError, decode_upload


@pytest.mark.parametrize(("raw", "text"), [
    (b"a,b\r\n", "a,b\r\n"),
    (b"\xef\xbb\xbfa,b", "a,b"),  # a spreadsheet's BOM is dropped
    ("caf\u00e9".encode(), "caf\u00e9"),
    (b"x" * 1024, "x" * 1024),  # exactly the limit is fine
])
def test_text_is_read(raw: bytes, text: str) -> None:
    assert decode_text(raw, 1024, "CSV") == text


@pytest.mark.parametrize(("raw", "message"), [
    (b"", "The file is empty."),
    (b" \r\n\t", "The file is empty."),
    (b"x" * 1025, "The file is larger than 1 KiB."),
    (b"a\x00b", "This is not a CSV text file (it contains binary data)."),
    (b"ok\n\xe9t\xe9", "The file is not UTF-8 text (byte 3 cannot be read). Save it as UTF-8 and try again."),
])
def test_what_cannot_be_read_says_why(raw: bytes, message: str) -> None:
    with pytest.raises(UploadError) as caught:
        decode_text(raw, 1024, "CSV")
    assert str(caught.value) == message


def test_the_caller_chooses_the_error_and_the_save_hint() -> None:
    with pytest.raises(KeyError):
        decode_text(b"", 10, "GIFT", KeyError)
    with pytest.raises(CsvError, match=r"Save it as CSV UTF-8 and try again\.$"):
        decode(b"\xff")
    with pytest.raises(TransferError, match=r"not a GIFT or Moodle XML text file"):
        decode_upload(b"\x00\x00")
    with pytest.raises(CsvError, match="larger than 512 KiB"):
        decode(b"x" * (512 * 1024 + 1))
    with pytest.raises(TransferError, match="larger than 2048 KiB"):
        decode_upload(b"x" * (2 * 1024 * 1024 + 1))
