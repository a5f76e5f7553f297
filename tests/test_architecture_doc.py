"""The package diagram in docs/architecture.md matches the code: every file and folder it names
exists, and every Python package of the four top-level packages is in it."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
PACKAGES = ("course", "modules", "quizzes", "exports")
NAME = re.compile(r"^[\w*.-]+(/|\.py)$")
DESCRIPTION_COLUMN = 20  # deeper lines continue the description column of the line above


def diagram(text: str) -> list[str]:
    """The lines of the first code block under '## The packages'."""
    after = text.split("## The packages", 1)[1]
    return after.split("```", 2)[1].strip("\n").splitlines()


def named_paths(lines: list[str]) -> list[str]:
    """Paths named by the diagram, relative to the repository; two spaces of indent per level."""
    parents: list[str] = []
    found = []
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        if not line.strip() or indent >= DESCRIPTION_COLUMN:
            continue
        level = indent // 2
        parents = parents[:level]
        for token in line.split():
            if not NAME.match(token):
                break
            path = "/".join([*parents, token.rstrip("/")])
            found.append(path + ("/" if token.endswith("/") else ""))
            if token.endswith("/"):
                parents = [*parents[:level], token.rstrip("/")]
    return found


def packages_on_disk() -> set[str]:
    """Every folder with an __init__.py under the four packages, as 'quizzes/taking/'."""
    return {f"{p.parent.relative_to(ROOT).as_posix()}/"
            for pkg in PACKAGES for p in (ROOT / pkg).rglob("__init__.py")
            if "__pycache__" not in p.parts}


def test_every_path_in_the_diagram_exists() -> None:
    missing = [p for p in named_paths(diagram(DOC.read_text(encoding="utf-8")))
               if not any(ROOT.glob(p.rstrip("/")))]
    assert missing == []


def test_every_package_is_in_the_diagram() -> None:
    named = set(named_paths(diagram(DOC.read_text(encoding="utf-8"))))
    assert packages_on_disk() - named == set()


def test_the_parser_reads_nesting_and_stops_at_the_description() -> None:
    lines = ["quizzes/                what",
             "  taking/               learners: a.py b/",
             "    attempts.py pages.py  the service",
             "                        continued: notes.py",
             "  grading.py            pure"]
    assert named_paths(lines) == ["quizzes/", "quizzes/taking/", "quizzes/taking/attempts.py",
                                  "quizzes/taking/pages.py", "quizzes/grading.py"]
