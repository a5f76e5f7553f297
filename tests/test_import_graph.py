"""The house rules on imports (issue 14): no import loops, the course layer never imports a
feature package, and no package reaches another through importlib or pkgutil.

The graph is read from the source with `ast`, as a reader or an IDE would follow it: every
`import`/`from ... import` anywhere in a module (function bodies too), and every
`importlib.import_module("...")` with a literal name.
"""
from __future__ import annotations

import ast
import pathlib
from collections.abc import Iterable

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("course", "modules", "quizzes", "exports")
FEATURES = ("modules", "quizzes", "exports")
# Calls that find or load a module by name at run time: a reader cannot follow them.
DYNAMIC = {"import_module", "find_spec", "iter_modules", "walk_packages", "__import__"}
# The application factory composes the packages: it may import each feature's blueprint module.
FACTORY = "course"
FACTORY_TARGETS = {f"{pkg}{suffix}" for pkg in FEATURES for suffix in ("", ".views", ".blueprint")}

Graph = dict[str, set[str]]


def module_name(root: pathlib.Path, path: pathlib.Path) -> str:
    """`course/lti/views.py` -> `course.lti.views`; a package's __init__ is the package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _called_name(node: ast.Call) -> str:
    """The called function's own name: `importlib.util.find_spec(...)` -> `find_spec`."""
    fn = node.func
    return fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")


def _literal_arg(node: ast.Call) -> str | None:
    """The call's first argument when it is a string literal, else None."""
    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def _targets(node: ast.AST, name: str, is_package: bool) -> list[str]:
    """Module names an import statement names (a `from` import: the base and base.name)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        anchor = name.split(".") if is_package else name.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join(anchor + ([base] if base else []))
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def read_graph(root: pathlib.Path) -> tuple[Graph, list[str]]:
    """Module -> project modules it imports, and every dynamic import between project packages."""
    files = [p for pkg in PACKAGES for p in sorted((root / pkg).rglob("*.py"))]
    names = {module_name(root, p): p for p in files}
    graph: Graph = {name: set() for name in names}
    dynamic: list[str] = []
    for name, path in names.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            found = _targets(node, name, path.name == "__init__.py")
            if isinstance(node, ast.Call) and _called_name(node) in DYNAMIC:
                literal = _literal_arg(node)
                # A literal naming a third-party module is not between project packages.
                if literal is None or literal.split(".")[0] in PACKAGES:
                    dynamic.append(f"{name}: {_called_name(node)}({literal or '...'})")
                found = [literal] if literal else []
            graph[name].update(t for t in found if t in names and t != name)
    return graph, dynamic


def loops(graph: Graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def upward(graph: Graph) -> list[str]:
    """Imports from the course layer into a feature package (the factory's blueprints aside)."""
    return [f"{m} -> {t}" for m, targets in sorted(graph.items()) if m.split(".")[0] == "course"
            for t in sorted(targets) if t.split(".")[0] in FEATURES
            and not (m == FACTORY and t in FACTORY_TARGETS)]


def _listing(lines: Iterable[object]) -> str:
    """One finding a line, for the assertion message."""
    return "\n".join(str(line) for line in lines)


def test_no_import_loops() -> None:
    found = loops(read_graph(ROOT)[0])
    assert not found, "import loops:\n" + _listing(" <-> ".join(c) for c in found)


def test_the_course_layer_never_imports_a_feature_package() -> None:
    found = upward(read_graph(ROOT)[0])
    assert not found, ("course/ imports a feature package (register through course/registry.py "
                       "or course/home.py instead):\n" + _listing(found))


def test_no_dynamic_imports_between_project_packages() -> None:
    found = read_graph(ROOT)[1]
    assert not found, "dynamic imports (import the module by name instead):\n" + _listing(found)


def _write(root: pathlib.Path, files: dict[str, str]) -> pathlib.Path:
    """A throwaway project tree: every package gets an __init__.py."""
    for pkg in PACKAGES:
        (root / pkg).mkdir(parents=True, exist_ok=True)
        (root / pkg / "__init__.py").touch()
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_the_walk_finds_each_kind_of_fault(tmp_path: pathlib.Path) -> None:
    root = _write(tmp_path, {
        "course/a.py": "from course.b import x\n",
        "course/b.py": "def f():\n    from . import a\n",  # a loop through a function body
        "course/lti/views.py": "import importlib\nimportlib.import_module('quizzes.sync')\n",
        "course/lti/picker.py": "from modules.loader import get_course\n",
        "course/__init__.py": "from quizzes import blueprint\nfrom exports.content import x\n",
        "quizzes/blueprint.py": "", "quizzes/sync.py": "", "modules/loader.py": "",
        "exports/content.py": "", "exports/c.py": "import importlib\nimportlib.import_module('yaml')\n",
    })
    graph, dynamic = read_graph(root)
    assert loops(graph) == [["course.a", "course.b"]]
    assert upward(graph) == ["course -> exports.content", "course.lti.picker -> modules.loader",
                             "course.lti.views -> quizzes.sync"]
    assert dynamic == ["course.lti.views: import_module(quizzes.sync)"]


def test_a_loop_through_a_dynamic_import_is_a_loop(tmp_path: pathlib.Path) -> None:
    root = _write(tmp_path, {
        "quizzes/views.py": "import pkgutil, importlib\n"
                            "for m in pkgutil.iter_modules(__path__):\n"
                            "    importlib.import_module('quizzes.extra')\n",
        "quizzes/extra.py": "from quizzes.views import bp\n",
    })
    graph, dynamic = read_graph(root)
    assert loops(graph) == [["quizzes.extra", "quizzes.views"]]
    assert dynamic == ["quizzes.views: iter_modules(...)",
                       "quizzes.views: import_module(quizzes.extra)"]
