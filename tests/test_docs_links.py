"""Every relative link in README.md and docs/*.md points at a file that exists, and at a heading
that exists when it names one (GitHub's anchors)."""
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~)")
EXTERNAL = ("http://", "https://", "mailto:")


def prose(text: str) -> str:
    """The Markdown without fenced code blocks or inline code, where brackets are not links."""
    out, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if not fenced:
            out.append(re.sub(r"`[^`]*`", "", line))
    return "\n".join(out)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    kept = "".join(c for c in text
                   if c in " -_" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


def heading_texts(path: Path) -> list[str]:
    """Headings with their inline code kept (backticks are dropped by slug, the text is not)."""
    fenced, out = False, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
        elif not fenced and (m := re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)):
            out.append(m.group(1))
    return out


def anchor_set(path: Path) -> set[str]:
    """Anchors of every heading in a file, repeats numbered as GitHub numbers them."""
    seen: dict[str, int] = {}
    found = set()
    for text in heading_texts(path):
        base = slug(text)
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return found


def broken_links(path: Path, text: str | None = None) -> list[str]:
    """Each relative link in the file whose target file, or heading, does not exist."""
    text = path.read_text(encoding="utf-8") if text is None else text
    problems = []
    for target in LINK.findall(prose(text)):
        if target.startswith(EXTERNAL):
            continue
        file_part, _, fragment = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            problems.append(f"{path.name}: {target}: no such file")
        elif fragment and dest.suffix == ".md" and fragment not in anchor_set(dest):
            problems.append(f"{path.name}: {target}: no heading #{fragment} in {dest.name}")
    return problems


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(path: Path) -> None:
    assert broken_links(path) == []


def test_a_broken_link_and_a_missing_heading_are_reported() -> None:
    page = ROOT / "docs" / "testing.md"
    text = ("[gone](no-such-guide.md) [ok](operations.md) [bad anchor](operations.md#nowhere) "
            "[ok anchor](operations.md#trusted-hosts) [web](https://example.org/x.md) "
            "`[code](not-a-link.md)`\n```\n[fenced](also-not.md)\n```\n")
    assert broken_links(page, text) == [
        "testing.md: no-such-guide.md: no such file",
        "testing.md: operations.md#nowhere: no heading #nowhere in operations.md",
    ]


@pytest.mark.parametrize("heading, anchor", [
    ("Import and export (`…/instructor/transfer`)", "import-and-export-instructortransfer"),
    ("Lint and types: `make lint`", "lint-and-types-make-lint"),
    ("Grades to the LMS: the score outbox", "grades-to-the-lms-the-score-outbox"),
])
def test_slug_matches_github(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor


def test_readme_is_a_front_door() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) < 250
    # CI and the task rules run "the README's first two commands".
    commands = re.findall(r"^(make \w+)", text, flags=re.M)
    assert commands[:2] == ["make run", "make test"]
    for page in DOCS[1:]:
        assert f"(docs/{page.name})" in text, f"README does not link docs/{page.name}"
