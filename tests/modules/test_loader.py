"""Tests for the module content loader: valid content loads, broken content is named precisely."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from course.content import ContentError
from modules.links import LinkStyle
from modules.loader import CONTENT_ROOT, get_course, load_course, summary

VALID = Path(__file__).parent / "fixtures" / "valid"
MY_MODULES = ("how-ms-affects-muscles", "weakness", "spasticity")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """Return a writable copy of the small valid fixture."""
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact snippet in a fixture file, failing loudly if it is absent."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def front_matter(path: Path) -> dict:
    """Read a content file's front matter independently of the loader."""
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])


# --- the valid fixture -----------------------------------------------------------------------

def test_valid_fixture_loads_in_folder_order(content: Path) -> None:
    """Modules and sections come back in NN order, with their numbers."""
    course = load_course(content)
    assert [m.slug for m in course.modules] == ["alpha", "beta"]
    assert [m.number for m in course.modules] == [1, 2]
    alpha = course.module("alpha")
    assert [(s.number, s.slug) for s in alpha.sections] == [(1, "one"), (2, "two")]
    assert alpha.reviewed == dt.date(2026, 11, 21)
    assert alpha.section("two").title == "Section two"


def test_lookups_raise_key_error(content: Path) -> None:
    """Unknown slugs and ids raise KeyError, which views turn into 404s."""
    course = load_course(content)
    with pytest.raises(KeyError):
        course.module("nope")
    with pytest.raises(KeyError):
        course.module("alpha").section("nope")
    with pytest.raises(KeyError):
        course.module("alpha").item("nope")


def test_summary_counts_match_the_fixture_files(content: Path) -> None:
    """summary() agrees with counts taken straight from the YAML."""
    assert summary(load_course(content)) | {"module_list": None} == count_files(content) | {
        "module_list": None}


def test_links_terms_and_citations_are_rendered_relative(content: Path) -> None:
    """Internal links follow the documented URL layout."""
    alpha = load_course(content).module("alpha")
    assert 'href="../beta/only"' in alpha.intro_html
    body = alpha.section("one").html
    assert 'href="../alpha/two"' in body
    assert 'href="../../glossary#term-weak"' in body
    # ref-one is the first reference of the module, so it is numbered [1]
    assert re.search(r'<sup><a href="references#ref-ref-one"[^>]*>\[1\]</a></sup>', body)
    beta = load_course(content).module("beta")
    assert 'href="../alpha/"' in beta.intro_html


def test_link_style_can_be_overridden(content: Path) -> None:
    """The view layer may choose other URL patterns."""
    style = LinkStyle(section="/m/{module}/{section}", term="/g#{anchor}")
    body = load_course(content, links=style).module("alpha").section("one").html
    assert 'href="/m/alpha/two"' in body
    assert 'href="/g#term-weak"' in body


def test_a_reference_link_may_name_the_citing_module(content: Path) -> None:
    """Pages outside a module (a review session) link to that module's own reference list."""
    style = LinkStyle(reference="/m/{module}/references#{anchor}")
    body = load_course(content, links=style).module("alpha").section("one").html
    assert 'href="/m/alpha/references#ref-ref-one"' in body


def test_glossary_merges_terms_of_all_modules(content: Path) -> None:
    """Every key term of every module is in the glossary, found by slug."""
    course = load_course(content)
    assert course.term("beta-term").module_slug == "beta"
    assert course.term("test-tone").term == "Test tone"
    assert {t.slug for t in course.glossary} == {"beta-term", "test-tone", "weak"}


# --- broken content ------------------------------------------------------------------------

ALPHA, ONE, TWO = "01-alpha/module.md", "01-alpha/01-one.md", "01-alpha/02-two.md"

BROKEN = {
    "missing objectives": (
        ALPHA, "objectives:\n  - Name the first fixture objective.\n  - Name the second fixture objective.\n",
        "", ALPHA, "objectives is missing"),
    "one objective only": (
        ALPHA, "  - Name the second fixture objective.\n", "", ALPHA, "objectives needs at least 2"),
    "missing references": (
        "02-beta/module.md",
        "references:\n  - id: beta-ref\n    citation: Author C. Beta paper. J Fixtures. 2022;3:5-6.\n",
        "", "02-beta/module.md", "references is missing"),
    "section link to missing section": (
        ONE, "(section:alpha/two)", "(section:alpha/three)", ONE, "no section 'three'"),
    "section link to missing module": (
        ONE, "(section:alpha/two)", "(section:gamma/two)", ONE, "module 'gamma' does not exist"),
    "unknown term link": (ONE, "(term:weak)", "(term:strong)", ONE, "'term:strong'"),
    "unknown practice type": (ONE, "type: mrc", "type: reflex", ONE, "practice[1].type 'reflex'"),
    "bad ashworth answer": (
        ONE, "answer: 1+", "answer: 5", ONE, "practice[0].answer '5' is not a Modified Ashworth grade"),
    "bad mrc answer": (ONE, "answer: 3", "answer: 4+", ONE, "practice[1].answer '4+' is not an MRC"),
    "bad emg trace": (ONE, "trace: denervation", "trace: noisy", ONE, "practice[2].trace 'noisy'"),
    "bad atrophy answer": (TWO, "answer: disuse", "answer: ageing", TWO, "practice[1].answer 'ageing'"),
    "why for an impossible grade": (ONE, '"1": A catch', '"6": A catch', ONE, "practice[0].why.6"),
    "unknown citation": (ONE, "[ref:ref-one]", "[ref:ref-nine]", ONE, "[ref:ref-nine]"),
    "two correct options": (
        ONE, "correct: false, why: It is *wrong*.", "correct: true, why: It is *wrong*.", ONE,
        "check[0].options must have exactly one correct option, not 2"),
    "choice option without why": (
        ONE, ", why: It is right.}", "}", ONE, "check[0].options[0].why is missing"),
    "missing check": (
        "02-beta/01-only.md", "check:", "practice:", "02-beta/01-only.md", "check is missing"),
    "duplicate item id in module": (TWO, "id: atrophy-1", "id: ash-1", TWO, "'ash-1' is already used"),
    "duplicate ladder step": (TWO, "{id: third,", "{id: second,", TWO, "repeats the id 'second'"),
    "misspelt key": (ONE, "explanation: It moves", "explaination: It moves", ONE, "explaination"),
    "slug does not match file": (TWO, "slug: two", "slug: deux", TWO, "slug 'deux' does not match"),
    "section not listed": (ALPHA, "  - two\n", "", TWO, "section 'two' is not listed"),
    "level-1 heading": (ONE, "## Heading", "# Heading", ONE, "level-1 heading"),
    "skipped heading level": (ONE, "### Sub-heading", "#### Sub-heading", ONE, "heading level 4"),
    "unsupported link scheme": (ONE, "(section:alpha/two)", "(ftp://x.example/a)", ONE, "ftp://x.example/a"),
    "bad reviewed date": (ALPHA, "reviewed: 2026-11-21", "reviewed: soon", ALPHA, "reviewed 'soon'"),
    "unquoted yes as id": (TWO, "{id: c,", "{id: yes,", TWO, "put it in quotes"),
}


@pytest.mark.parametrize("case", sorted(BROKEN), ids=sorted(BROKEN))
def test_broken_content_is_rejected_with_file_and_field(content: Path, case: str) -> None:
    """Each kind of broken content raises ContentError naming the file and what is wrong."""
    target, old, new, file, message = BROKEN[case]
    edit(content / target, old, new)
    with pytest.raises(ContentError) as info:
        load_course(content)
    text = str(info.value)
    assert text.startswith(f"{content / file}: "), text
    assert message in text, text


def test_reserved_section_slug_is_rejected(content: Path) -> None:
    """A section may not be called 'references': that URL is the module's reference page."""
    (content / TWO).rename(content / "01-alpha/02-references.md")
    edit(content / "01-alpha/02-references.md", "slug: two", "slug: references")
    edit(content / ALPHA, "  - two\n", "  - references\n")
    with pytest.raises(ContentError, match="'references' is reserved"):
        load_course(content)


def test_duplicate_term_across_modules_is_rejected(content: Path) -> None:
    """A glossary slug may be defined by one module only."""
    edit(content / "02-beta/module.md", "term: Beta term", "term: Test tone")
    with pytest.raises(ContentError, match="already defined in"):
        load_course(content)


def test_missing_module_file_is_rejected(content: Path) -> None:
    """A module folder without module.md is an error, not silently skipped."""
    (content / "02-beta" / "module.md").unlink()
    with pytest.raises(ContentError, match="module.md is missing"):
        load_course(content)


def test_empty_root_is_rejected(tmp_path: Path) -> None:
    """A content folder without modules is an error."""
    with pytest.raises(ContentError, match="no module folders"):
        load_course(tmp_path)


# --- the real content ------------------------------------------------------------------------

def count_files(root: Path) -> dict[str, int]:
    """Count modules, sections, items, references and terms by reading the YAML directly."""
    counts = dict.fromkeys(
        ("modules", "sections", "practice_items", "check_items", "references", "terms"), 0)
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name[:2].isdigit()):
        meta = front_matter(folder / "module.md")
        counts["modules"] += 1
        counts["references"] += len(meta["references"])
        counts["terms"] += len(meta["key_terms"])
        for path in folder.glob("[0-9][0-9]-*.md"):
            section = front_matter(path)
            counts["sections"] += 1
            counts["practice_items"] += len(section.get("practice") or [])
            counts["check_items"] += len(section.get("check") or [])
    return counts


def test_real_content_loads_and_summary_matches_files() -> None:
    """The shipped content is valid and summary() agrees with the files on disk."""
    facts = summary(load_course())
    assert {k: v for k, v in facts.items() if k != "module_list"} == count_files(CONTENT_ROOT)
    assert len(facts["module_list"]) == facts["modules"]


def test_get_course_is_cached() -> None:
    """Content is parsed once per process."""
    assert get_course() is get_course()


@pytest.mark.parametrize("slug", MY_MODULES)
def test_modules_one_to_three_meet_the_course_policy(slug: str) -> None:
    """3-5 sections, 2+ objectives, 3+ references all cited, checks everywhere, reviewed date."""
    module = get_course().module(slug)
    assert 3 <= len(module.sections) <= 5
    assert len(module.objectives) >= 2
    assert len(module.references) >= 3
    assert module.reviewed == dt.date(2026, 11, 21)
    assert all(section.checks for section in module.sections)
    html = module.intro_html + "".join(
        s.html + "".join(i.prompt_html + i.explanation_html for i in s.items)
        for s in module.sections)
    uncited = [r.id for r in module.references if f'href="references#{r.anchor}"' not in html]
    assert uncited == []


def test_modules_one_to_three_have_their_practice_types() -> None:
    """Module 1 practises with choices, module 2 with MRC, module 3 with Ashworth and a ladder."""
    def types(slug: str) -> set[str]:
        """Collect the practice item types of one module."""
        return {i.type for s in get_course().module(slug).sections for i in s.practice}
    assert "choice" in types("how-ms-affects-muscles")
    assert "mrc" in types("weakness")
    assert {"ashworth", "ladder"} <= types("spasticity")


@pytest.mark.parametrize("slug", MY_MODULES)
def test_no_medication_doses_in_modules_one_to_three(slug: str) -> None:
    """The brief gives no doses for these modules, so none may appear."""
    folder = next(CONTENT_ROOT.glob(f"[0-9][0-9]-{slug}"))
    text = " ".join(p.read_text(encoding="utf-8") for p in folder.glob("*.md"))
    assert not re.search(r"\b\d+(\.\d+)?\s?(mg|mcg|micrograms?|units?)\b", text, re.IGNORECASE)
