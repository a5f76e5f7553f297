"""Load and validate the question bank folder: topic files, case studies and shipped quizzes."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from course.content import ContentError
from quizzes.case_studies import CaseStudy, parse_case_study
from quizzes.types import validate_item
from quizzes.types.checks import SLUG_RE

BANK_DIR = Path(__file__).resolve().parent / "bank"
QUIZZES_FILE = "quizzes.yaml"

__all__ = ["BANK_DIR", "Bank", "CaseStudy", "QuizSettings", "QuizSpec", "get_bank", "load_bank", "summary"]


class _StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key repeated in one mapping (PyYAML keeps the last)."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    """Construct a mapping, raising on a duplicated key with its line number."""
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


GRADING = ("highest", "average", "first", "last")
REVIEW = ("score", "correctness", "rationales")
REVIEW_WHEN = ("after_each", "after_last")
QUIZ_KEYS = {"slug", "title", "module", "description", "items", "case_studies", "settings"}


@dataclass(frozen=True)
class QuizSettings:
    """Defaults an instructor can change per deployment; None means no limit."""

    attempts_allowed: int | None = 3
    grading: str = "highest"
    time_limit_minutes: int | None = None
    shuffle: bool = False
    review: str = "rationales"
    review_when: str = "after_each"
    pass_mark: float = 70.0


@dataclass(frozen=True)
class QuizSpec:
    """A shipped quiz: which items and case studies it uses, and its default settings."""

    slug: str
    title: str
    module: str | None
    description: str
    items: tuple[str, ...]
    case_studies: tuple[str, ...]
    settings: QuizSettings


def _count(value: Any, where: str, key: str) -> int | None:
    """A positive whole number or null."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ContentError(f"{where}: settings.{key}: must be a whole number of 1 or more, or null")
    return value


def _settings(raw: Any, where: str) -> QuizSettings:
    """Validate a settings mapping on top of the defaults."""
    raw = {} if raw is None else raw
    fields = QuizSettings.__dataclass_fields__
    if not isinstance(raw, Mapping) or raw.keys() - fields.keys():
        raise ContentError(f"{where}: settings: must be a mapping of {', '.join(fields)}")
    merged = {**{k: f.default for k, f in fields.items()}, **raw}
    for key, allowed in (("grading", GRADING), ("review", REVIEW), ("review_when", REVIEW_WHEN)):
        if merged[key] not in allowed:
            raise ContentError(f"{where}: settings.{key}: {merged[key]!r} is not one of {', '.join(allowed)}")
    if not isinstance(merged["shuffle"], bool):
        raise ContentError(f"{where}: settings.shuffle: must be true or false")
    mark = merged["pass_mark"]
    if isinstance(mark, bool) or not isinstance(mark, (int, float)) or not 0 <= mark <= 100:
        raise ContentError(f"{where}: settings.pass_mark: must be a number from 0 to 100")
    merged["pass_mark"] = float(mark)
    _count(merged["attempts_allowed"], where, "attempts_allowed")
    _count(merged["time_limit_minutes"], where, "time_limit_minutes")
    return QuizSettings(**merged)


def _id_list(raw: Mapping[str, Any], key: str, where: str,
             known: Mapping[str, Any] | frozenset[str], kind: str) -> tuple[str, ...]:
    """A list of distinct ids that all exist in ``known``."""
    ids = raw.get(key) or []
    if not isinstance(ids, list):
        raise ContentError(f"{where}: {key}: must be a list of ids")
    for ident in ids:
        if not isinstance(ident, str) or ident not in known:
            raise ContentError(f"{where}: {key}: {ident!r} is not a known {kind}")
    if len(set(ids)) != len(ids):
        raise ContentError(f"{where}: {key}: lists an id twice")
    return tuple(ids)


def _quiz(raw: Any, label: str, index: int, standalone: frozenset[str], cases: Mapping[str, CaseStudy]) -> QuizSpec:
    """Validate one quiz entry."""
    where = f"{label} quiz #{index}"
    if not isinstance(raw, Mapping) or not {"slug", "title", "module"} <= raw.keys() or raw.keys() - QUIZ_KEYS:
        raise ContentError(f"{where}: needs slug, title and module, and only {', '.join(sorted(QUIZ_KEYS))}")
    if not isinstance(raw["slug"], str) or not SLUG_RE.match(raw["slug"]):
        raise ContentError(f"{where}: slug: {raw['slug']!r} must be a lowercase slug")
    where = f"{label} quiz {raw['slug']!r}"
    if not isinstance(raw["title"], str) or not raw["title"].strip():
        raise ContentError(f"{where}: title: must be non-empty text")
    module = raw["module"]
    if module is not None and (not isinstance(module, str) or not SLUG_RE.match(module)):
        raise ContentError(f"{where}: module: must be a module slug such as 02-weakness, or null")
    description = raw.get("description") or ""
    if not isinstance(description, str):
        raise ContentError(f"{where}: description: must be text")
    for ident in raw.get("items") or []:
        owner = next((c.id for c in cases.values() if ident in c.item_ids), None)
        if owner:
            raise ContentError(f"{where}: items: {ident!r} belongs to case study {owner!r}; "
                               "list the case under case_studies")
    items = _id_list(raw, "items", where, standalone, "item id")
    case_ids = _id_list(raw, "case_studies", where, cases, "case study id")
    if not items and not case_ids:
        raise ContentError(f"{where}: lists no items and no case studies")
    return QuizSpec(raw["slug"], raw["title"], module, description, items, case_ids,
                    _settings(raw.get("settings"), where))


def parse_quizzes(data: Any, label: str, standalone: frozenset[str],
                  cases: Mapping[str, CaseStudy]) -> tuple[QuizSpec, ...]:
    """Validate quizzes.yaml: a list of quizzes with unique slugs referring to known content."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ContentError(f"{label}: must be a YAML list of quizzes")
    specs: list[QuizSpec] = []
    for i, raw in enumerate(data):
        spec = _quiz(raw, label, i + 1, standalone, cases)
        if any(s.slug == spec.slug for s in specs):
            raise ContentError(f"{label} quiz {spec.slug!r}: slug: duplicate slug")
        specs.append(spec)
    return tuple(specs)


@dataclass(frozen=True)
class Bank:
    """The whole validated bank. Treat the item dicts as read-only: the bank is cached."""

    items: Mapping[str, dict[str, Any]]
    case_studies: Mapping[str, CaseStudy]
    quizzes: tuple[QuizSpec, ...]

    def quiz(self, slug: str) -> QuizSpec | None:
        """The shipped quiz with this slug, if any."""
        return next((q for q in self.quizzes if q.slug == slug), None)

    def quiz_item_ids(self, quiz: QuizSpec) -> tuple[str, ...]:
        """Every item id a quiz uses: standalone items, then each case study's six in order."""
        ids = list(quiz.items)
        for case_id in quiz.case_studies:
            ids.extend(self.case_studies[case_id].item_ids)
        return tuple(ids)

    def case_study_of(self, item_id: str) -> str | None:
        """The id of the case study an item belongs to, or None for a standalone item."""
        return next((c.id for c in self.case_studies.values() if item_id in c.item_ids), None)


def read_yaml(path: Path, label: str) -> Any:
    """Parse one YAML file strictly; syntax errors name the file and line."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506 - safe subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ContentError(f"{label}:{line} invalid YAML: {getattr(exc, 'problem', None) or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ContentError(f"{label}: not UTF-8 text") from exc


def _add(items: dict[str, dict[str, Any]], origin: dict[str, str], item: dict[str, Any], label: str) -> None:
    """Register an item, refusing an id already used anywhere in the bank."""
    if item["id"] in items:
        raise ContentError(f"{label} item {item['id']!r}: id: duplicate id, already used in {origin[item['id']]}")
    items[item["id"]] = item
    origin[item["id"]] = label


def _topic_items(path: Path, label: str) -> list[dict[str, Any]]:
    """Validate the items of one topic file."""
    data = read_yaml(path, label)
    if data is None:
        return []
    if not isinstance(data, list):
        raise ContentError(f"{label}: a topic file must be a YAML list of items")
    for i, item in enumerate(data):
        ident = item.get("id") if isinstance(item, Mapping) else None
        where = f"{label} item {ident!r}" if ident else f"{label} item #{i + 1}"
        validate_item(item, where)
        if "stage" in item:
            raise ContentError(f"{where}: stage: only case-study items have a stage")
    return data


def load_bank(root: Path | None = None) -> Bank:
    """Read and validate the bank folder (default ``quizzes/bank``); raise ContentError if broken."""
    root = Path(root) if root is not None else BANK_DIR
    if not root.is_dir():
        raise ContentError(f"{root}: question bank folder not found")
    items: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}
    strays = sorted(root.rglob("*.yml"))
    if strays:
        raise ContentError(f"{root.name}/{strays[0].relative_to(root)}: rename to .yaml; .yml files are not loaded")
    for path in sorted(root.glob("*.yaml")):
        if path.name != QUIZZES_FILE:
            label = f"{root.name}/{path.name}"
            for item in _topic_items(path, label):
                _add(items, origin, item, label)
    standalone = frozenset(items)
    cases: dict[str, CaseStudy] = {}
    for path in sorted((root / "case_studies").glob("*.yaml")):
        label = f"{root.name}/case_studies/{path.name}"
        case = parse_case_study(read_yaml(path, label), label)
        if case.id in cases:
            raise ContentError(f"{label} case study {case.id!r}: id: duplicate, already used in "
                               f"{cases[case.id].source}")
        cases[case.id] = case
        for item in case.items:
            _add(items, origin, item, label)
    quizzes_path = root / QUIZZES_FILE
    quizzes: tuple[QuizSpec, ...] = ()
    if quizzes_path.is_file():
        label = f"{root.name}/{QUIZZES_FILE}"
        quizzes = parse_quizzes(read_yaml(quizzes_path, label), label, standalone, cases)
    return Bank(MappingProxyType(items), MappingProxyType(cases), quizzes)


@functools.cache
def get_bank() -> Bank:
    """The shipped bank, loaded once per process."""
    return load_bank()


def summary(bank: Bank | None = None) -> dict[str, Any]:
    """Counts for dashboards and smoke checks: questions (case-study items included) by type."""
    bank = bank if bank is not None else get_bank()
    by_type = Counter(item["type"] for item in bank.items.values())
    return {
        "questions": len(bank.items),
        "questions_by_type": dict(sorted(by_type.items())),
        "case_studies": len(bank.case_studies),
        "quizzes": len(bank.quizzes),
    }
