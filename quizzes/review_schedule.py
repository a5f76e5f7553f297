"""Pure spaced-review rules (SM-2): quality grades, ease and interval updates, review-session choice.

The schedule follows Wozniak's SM-2 (SuperMemo 2, 1987/1990), in whole numbers so the database
upsert (quizzes/review/service.py) can apply the same rules in SQL: ease is kept in hundredths
(SM-2's E-Factor 2.5 is 250) and intervals in whole days.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

START_EASE = 250  # SM-2: every item starts with E-Factor 2.5
MIN_EASE = 130  # SM-2: the E-Factor never falls below 1.3
FIRST_INTERVAL, SECOND_INTERVAL = 1, 6  # SM-2: I(1) = 1 day, I(2) = 6 days
PASS = 3  # SM-2: grades 3 to 5 are right answers; below 3 the item starts again
SESSION_LENGTH = 10  # items in a "Review now" session by default
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Schedule:
    """One learner's schedule for one item: ease (hundredths), interval (days), due day."""

    ease: int = START_EASE
    interval: int = 0
    reps: int = 0  # right answers in a row
    lapses: int = 0  # wrong answers in all
    due_day: int = 0


def day_number(when: datetime) -> int:
    """Days since 1970-01-01 of a moment, in UTC (naive values are taken as UTC)."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return (aware.astimezone(UTC).date() - EPOCH).days


def quality(points: float, max_points: float, answered: bool = True) -> int:
    """SM-2's 0-5 grade from the points earned; partial credit is a grade, not right or wrong.

    5 full marks; 4 at least 80%; 3 at least half (right, with difficulty); 2 some points;
    1 answered with none; 0 left blank.
    """
    if not answered:
        return 0
    share = points / max_points if max_points > 0 else 0.0
    if share >= 1:
        return 5
    if share >= 0.8:
        return 4
    if share >= 0.5:
        return 3
    return 2 if share > 0 else 1


def ease_change(grade: int) -> int:
    """SM-2's E-Factor change, in hundredths: 0.1 - (5-q)(0.08 + (5-q)0.02)."""
    miss = 5 - grade
    return 10 - miss * (8 + miss * 2)


def answer(state: Schedule, grade: int, today: int) -> Schedule:
    """The schedule after one answer graded 0-5 on day ``today``.

    A wrong answer (grade < 3) starts the item again and makes it due the same day (SM-2 repeats
    such items within the day); a right one gives 1 day, then 6, then the last interval times the
    ease, so each right answer brings the item back later.
    """
    ease = max(MIN_EASE, state.ease + ease_change(grade))
    if grade < PASS:
        return Schedule(ease, 0, 0, state.lapses + 1, today)
    if state.reps == 0:
        interval = FIRST_INTERVAL
    elif state.reps == 1:
        interval = SECOND_INTERVAL
    else:
        interval = (state.interval * state.ease + 50) // 100  # the ease before this answer
    return Schedule(ease, interval, state.reps + 1, state.lapses, today + interval)


def corrected(state: Schedule, last_day: int, last_grade: int, answered_day: int, old: int,
              new: int) -> Schedule | None:
    """The schedule after a regrade changes an answer's grade from ``old`` to ``new``.

    Only the learner's last answer can be corrected (given on ``answered_day`` with grade ``old``);
    None when a later answer superseded it or the grade is unchanged. That answer's SM-2 step is
    undone as far as the stored schedule allows and redone with the new grade: the ease exactly
    (unless it sat at its floor), lapses exactly; a right answer's interval does not depend on the
    grade, so right-to-right keeps it; a wrong answer erased the run of right answers before it,
    so wrong-to-right starts a new run (due the next day).
    """
    if old == new or (last_day, last_grade) != (answered_day, old):
        return None
    ease = max(MIN_EASE, max(MIN_EASE, state.ease - ease_change(old)) + ease_change(new))
    lapses = state.lapses - (old < PASS) + (new < PASS)
    if new < PASS:
        return Schedule(ease, 0, 0, lapses, last_day)
    if old >= PASS:
        return Schedule(ease, state.interval, state.reps, lapses, state.due_day)
    return Schedule(ease, FIRST_INTERVAL, 1, lapses, last_day + FIRST_INTERVAL)


# --- choosing a review session ------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """A scheduled item as the session builder sees it."""

    key: str
    due_day: int
    ease: int = START_EASE
    lapses: int = 0
    score: float = 0.0  # share of points at the last answer
    step: str = ""
    topic: str = ""


@dataclass(frozen=True)
class Candidate:
    """An item the session may show: its key, NCJMM step, topic and case study (None if standalone)."""

    key: str
    step: str = ""
    topic: str = ""
    case: str | None = None


def due(entries: Iterable[Entry], today: int) -> list[Entry]:
    """Items due by today: longest overdue first, then hardest (lowest ease), most lapses, key."""
    return sorted((e for e in entries if e.due_day <= today),
                  key=lambda e: (e.due_day, e.ease, -e.lapses, e.key))


def area_scores(entries: Iterable[Entry]) -> dict[str, float]:
    """Mean last score per NCJMM step ("step:<s>") and per topic ("topic:<t>")."""
    totals: dict[str, list[float]] = {}
    for e in entries:
        for area in (f"step:{e.step}" if e.step else "", f"topic:{e.topic}" if e.topic else ""):
            if area:
                totals.setdefault(area, []).append(e.score)
    return {area: sum(s) / len(s) for area, s in totals.items()}


def weakness(candidate: Candidate, scores: Mapping[str, float]) -> float | None:
    """The score of the weaker of an item's step and topic; None when neither is weak (below 1)."""
    found = [scores[a] for a in (f"step:{candidate.step}", f"topic:{candidate.topic}") if a in scores]
    low = min(found, default=1.0)
    return low if low < 1 else None


def _units(keys: Iterable[str], by_key: Mapping[str, Candidate],
           cases: Mapping[str, list[str]]) -> list[tuple[str, ...]]:
    """Keys grouped into what a session shows: a case study's items always come as the whole case."""
    units: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for key in keys:
        found = by_key.get(key)
        if found is None or key in seen:
            continue
        unit = tuple(cases[found.case]) if found.case else (key,)
        seen.update(unit)
        units.append(unit)
    return units


def _fill_order(candidates: Sequence[Candidate], entries: Sequence[Entry], skip: set[str]) -> list[str]:
    """Keys to fill with: items in the weakest steps and topics first, unseen before seen, then key."""
    scores = area_scores(entries)
    known = {e.key: e for e in entries}
    ranked = []
    for c in candidates:
        low = weakness(c, scores)
        if low is not None and c.key not in skip:
            seen = known.get(c.key)
            ranked.append(((low, seen is not None, seen.due_day if seen else 0, c.key), c.key))
    return [key for _, key in sorted(ranked)]


def build_session(entries: Sequence[Entry], candidates: Sequence[Candidate], today: int,
                  length: int = SESSION_LENGTH) -> list[str]:
    """Item keys of a review session: due items first, then fill from the weakest areas.

    A case study counts all its items; the first unit is always taken (so a long case is never
    starved), later ones only while they fit in ``length``.
    """
    by_key = {c.key: c for c in candidates}
    cases: dict[str, list[str]] = {}
    for c in candidates:
        if c.case:
            cases.setdefault(c.case, []).append(c.key)
    due_keys = [e.key for e in due(entries, today)]
    chosen = _take(_units(due_keys, by_key, cases), [], length)
    if len(chosen) < length:
        fill = _fill_order(candidates, entries, set(due_keys))
        chosen = _take(_units(fill, by_key, cases), chosen, length)
    return chosen


def _take(units: Iterable[tuple[str, ...]], chosen: list[str], length: int) -> list[str]:
    """Add whole units in order while they fit; the very first unit always goes in."""
    taken = list(chosen)
    for unit in units:
        if (taken and len(taken) + len(unit) > length) or any(k in taken for k in unit):
            continue
        taken.extend(unit)
    return taken
