"""The Moodle XML import raises only its documented errors on any upload, and reports every question."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quizzes.interchange.gift import DEGRADED, IMPORTED, SKIPPED, TooManyQuestions
from quizzes.interchange.moodle_import import MoodleXmlError, parse_moodle_xml
from quizzes.interchange.transfer import TransferError, decode_upload, import_gift
from tests.security.fuzz_data import fuzz_settings

TYPES = ["multichoice", "truefalse", "match", "ordering", "ddwtos", "gapselect", "multianswer", "essay", "x"]
CHILD = st.sampled_from([
    "<single>false</single>", "<single>true</single>", '<answer fraction="100"><text>a</text></answer>',
    '<answer fraction="-50"><text>b</text><feedback><text>f</text></feedback></answer>',
    '<answer fraction="x"><text>true</text></answer>', "<answer><text>false</text></answer>",
    "<subquestion><text>p</text><answer><text>t</text></answer></subquestion>",
    "<dragbox><text>d</text><group>1</group><infinite/></dragbox>",
    "<selectoption><text>s</text><group>2</group></selectoption>",
    "<questiontext><text>[[1]] {1:MULTICHOICE:%100%a#b~c} {:MC:=x~%50%y} [[9]]</text></questiontext>",
    "<gradingtype>ALL_OR_NOTHING</gradingtype>", "<tags><tag><text>item-type:matrix_mc</text></tag></tags>",
    "<idnumber>a-b</idnumber>", "<name><text>N</text></name>", '<file name="a.png" encoding="base64">AA</file>',
])
QUESTION = st.builds(lambda t, kids: f'<question type="{t}">' + "".join(kids) + "</question>",
                     st.sampled_from(TYPES), st.lists(CHILD, max_size=6))
XML = st.one_of(
    st.builds(lambda qs: "<quiz>" + "".join(qs) + "</quiz>", st.lists(QUESTION, max_size=5)),
    st.text(alphabet=st.sampled_from(list("<>/=\"' quiz&;![]{}:%~#\\\n\x00abc")), max_size=300),
    st.binary(max_size=500).map(lambda b: "<quiz>" + b.decode("latin-1") + "</quiz>"),
)


@fuzz_settings(300)
@given(text=XML)
def test_moodle_xml_raises_only_its_errors_and_reports_every_question(text: str) -> None:
    try:
        result = parse_moodle_xml(text)
    except (MoodleXmlError, TooManyQuestions) as exc:
        assert str(exc)
        return
    assert all(line.status in (IMPORTED, DEGRADED, SKIPPED) and line.line >= 1 and line.reason
               for line in result.report)
    assert len(result.questions) <= len(result.report)


@fuzz_settings(100)
@given(raw=st.binary(max_size=1000).map(lambda b: b"<?xml version='1.0'?><quiz>" + b))
def test_a_moodle_upload_raises_only_transfer_error(raw: bytes) -> None:
    try:
        report = import_gift(0, None, decode_upload(raw), dry_run=True)
    except TransferError as exc:
        assert str(exc) and exc.status in (400, 413)
        return
    assert report.created == [] and report.tag == "moodle-import"


# Embedded images: names, encodings, damaged base64 and real image bytes, referenced from HTML
# <img> tags and Markdown in the question text (quizzes/interchange/moodle_files.py).
_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
_SVG = "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="
FILE_BODY = st.one_of(st.just(_PNG), st.just(_PNG[:40]), st.just(_SVG),
                      st.text(alphabet=st.sampled_from(list("AZaz09+/=\n &<")), max_size=120))
NAME = st.sampled_from(["a.png", "b c.svg", "x%20y.jpg", "", "../../etc/passwd", "a.png\n", "é.png"])
REF = st.one_of(
    st.builds(lambda n, alt: f"![{alt}](@@PLUGINFILE@@/{n})", NAME, st.sampled_from(["", "Alt", "a]b", "\\"])),
    st.builds(lambda n, extra: f'&lt;img src="@@PLUGINFILE@@/{n}" {extra}&gt;', NAME,
              st.sampled_from(["", 'alt=""', 'alt="K"', 'alt="" role="presentation"', "alt='q'", "alt"])),
)


@fuzz_settings(200)
@given(refs=st.lists(REF, max_size=4), files=st.lists(st.tuples(NAME, FILE_BODY, st.sampled_from(
    ["base64", "BASE64", "gzip", ""])), max_size=4), fmt=st.sampled_from(["html", "markdown"]))
def test_embedded_images_never_crash_and_every_loss_is_reported(refs, files, fmt) -> None:
    embedded = "".join(f'<file name="{n}" path="/" encoding="{enc}">{body.replace("&", "&amp;").replace("<", "&lt;")}'
                       "</file>" for n, body, enc in files)
    text = (f'<quiz><question type="truefalse"><name><text>Q</text></name>'
            f'<questiontext format="{fmt}"><text>{" ".join(refs)}</text>{embedded}</questiontext>'
            '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text>'
            "</answer></question></quiz>")
    try:
        result = parse_moodle_xml(text)
    except MoodleXmlError as exc:
        assert str(exc)
        return
    [line] = result.report
    assert line.status in (IMPORTED, DEGRADED, SKIPPED) and line.reason
    for question in result.questions:
        assert "\x00" not in str(question.item)
        assert all(im.clean.mime in ("image/png", "image/svg+xml", "image/jpeg") for im in question.images)
