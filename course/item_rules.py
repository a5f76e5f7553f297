"""Pure consistency rules for clinical item text; each returns the problems it finds, or none.

The rules are deliberately narrow: each one catches a kind of error a clinical reviewer found
(issue 16) and stays silent on correct wording. Modules and the question bank feed them text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MAS_GRADES = ("0", "1", "1+", "2", "3", "4")
# Drugs whose labels call for liver tests (brief section 12: tizanidine label, dantrolene boxed warning).
LIVER_TEST_DRUGS = ("tizanidine", "dantrolene")
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}

_TAG = re.compile(r"<[^>]+>")
_MOVEMENT = re.compile(
    r"\b(hip|knee|ankle|elbow|shoulder|wrist|finger|toe|thumb)s? "
    r"(flexion|extension|dorsiflexion|plantar ?flexion|abduction|adduction)\b")
_ASKS_MRC = re.compile(r"\bwhich mrc grade\b|\bmrc grade (?:should|would|does|fits)\b")
_BOTH_WAYS = re.compile(r"\b(bend and straighten|straighten and bend|flex and extend|extend and flex)\b")
_LIFTS_LEG = re.compile(r"\blifts? (?:the |her |his |their )?(heel|leg|straight leg|straightened leg)\b")
# A catch at or before the midpoint leaves half the range or more after it: too much for 1+.
_EARLY_CATCH = re.compile(
    r"\bcatch\b[^.;]*?\b(early|at the start|at the beginning|(?:a|one) quarter of the way|"
    r"(?:a|one) third of the way|halfway|half way|at the midpoint)\b")
_MOST_RANGE = re.compile(r"\bthrough (most|more than half|the whole|all) of the (range|movement)\b")
_HALF_OF_REST = re.compile(r"\bhalf of the (remaining range|rest)\b")
_VISITS = re.compile(
    r"\bgraded (1\+|[0-4]) at (?:the|each of the|all of the|all) (?:last|past|previous) "
    r"(two|three|four|five|six|\d) visits\b([^?]*)")
_GRADE = re.compile(r"(?<![\w.])(1\+|[0-4])(?![\w+])")
_OLD_WORSE = re.compile(r"\bold\b[^.;]*\b(worse|worsening|flar\w*)\b|\b(worse|worsening)\b[^.;]*\bno new\b")
_INFECTION_SIGN = re.compile(r"fever|temperature|°c|urin|cough|infect|dipstick|nitrite|leukocyte")
_CAUSE_COLUMN = re.compile(r"\b(infection|relapse)\b")
_NEUTRAL_COLUMN = re.compile(r"\b(not|neither|either|apart|baseline)\b")
_NARROW_CUES = re.compile(r"\bcues? to the\b")
_OTHER_CUE = re.compile(r"\b(safety|baseline) cue\b|\bnot a cue to\b")
_LONG_TERM = re.compile(
    r"\b(long-term|long term|daily|every day|chronic|for (?:the past |the last )?(?:\w+ )?(?:months|years))\b")
_LIVER_COLUMN = re.compile(r"\bliver (tests?|enzymes|function)\b")


def plain(text: Any) -> str:
    """Lower-case text with HTML tags and entities removed and whitespace collapsed."""
    raw = html.unescape(_TAG.sub(" ", str(text or "")))
    return " ".join(raw.split()).lower()


def mrc_problems(stem: str, *, asks: bool = False) -> list[str]:
    """An MRC grading stem names exactly one movement and describes only that movement."""
    t = plain(stem)
    if not (asks or _ASKS_MRC.search(t)):
        return []
    named = sorted({" ".join(m.group(1, 2)) for m in _MOVEMENT.finditer(t)})
    if len(named) != 1:
        found = ", ".join(named) or "none"
        return [f"an MRC grade is asked, but the stem must name one movement to grade (found: {found})"]
    move = named[0]
    problems = []
    if _BOTH_WAYS.search(t):
        problems.append(f"grades {move} but describes movement both ways, but the MRC grades one movement")
    if "extension" in move and "from straight to bent" in t:
        problems.append(f"grades {move} but describes straight to bent, which is flexion")
    if move.endswith(" flexion") and "from bent to straight" in t:
        problems.append(f"grades {move} but describes bent to straight, which is extension")
    if move != "hip flexion" and _LIFTS_LEG.search(t):
        problems.append(f"grades {move} but describes lifting the leg or heel, which is hip flexion")
    return problems


def mas_problems(stem: str, key: str | None = None) -> list[str]:
    """A Modified Ashworth stem keyed (or naming) 1+ describes resistance through under half the range."""
    t = plain(stem)
    texts = [t] if key == "1+" else [s for s in re.split(r"(?<=[.?!])\s", t) if "1+" in s]
    problems = []
    for sentence in texts:
        catch = _EARLY_CATCH.search(sentence)
        if catch:
            problems.append(f"MAS 1+ with a catch '{catch.group(1)}' leaves half the range or more "
                            "after it, but 1+ resistance runs through the rest, which is less than half")
        if _MOST_RANGE.search(sentence):
            problems.append("MAS 1+ described with resistance through most of the range, which is grade 2")
        if _HALF_OF_REST.search(sentence):
            problems.append("MAS 1+ resistance runs through all the rest of the range, and that rest "
                            "is less than half, so 'half of the remaining range' misstates it")
    return problems


def visit_grade_problems(stem: str) -> list[str]:
    """'Graded X at the last N visits: a, b, c' must list N grades, all equal to X."""
    problems = []
    for match in _VISITS.finditer(plain(stem)):
        claim, count_word, rest = match.groups()
        count = _NUMBERS.get(count_word) or int(count_word)
        # The grade list runs from the colon to the end of its sentence.
        listed = _GRADE.findall(rest.split(":", 1)[1].split(". ")[0]) if ":" in rest else []
        if listed and (len(listed) != count or any(g != claim for g in listed)):
            problems.append(f"claims grade {claim} at the last {count_word} visits but lists "
                            f"{', '.join(listed)}")
    return problems


def steroid_key_problems(stem: str) -> list[str]:
    """Keying steroid myopathy needs long-term exposure; after short relapse courses it is only possible."""
    if _LONG_TERM.search(plain(stem)):
        return []
    return ["keys steroid myopathy without long-term steroid exposure, but after short relapse "
            "courses it is only possible (brief section 5)"]


def relapse_cue_problems(rows: Iterable[tuple[str, str]]) -> list[str]:
    """Worse old symptoms alone fit infection and relapse alike (a relapse is new OR worsening)."""
    problems = []
    for row_text, answer_text in rows:
        row, answer = plain(row_text), plain(answer_text)
        if (_OLD_WORSE.search(row) and not _INFECTION_SIGN.search(row)
                and _CAUSE_COLUMN.search(answer) and not _NEUTRAL_COLUMN.search(answer)):
            problems.append(f"'{row_text}' is keyed '{answer_text}', but worse old symptoms do not "
                            "tell infection from relapse (fever and urine findings do)")
    return problems


def liver_test_problems(columns: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """In a drug-by-safety matrix, a liver-test column includes every drug that needs liver tests."""
    problems = []
    for col in columns:
        if not _LIVER_COLUMN.search(plain(col.get("text"))):
            continue
        for row in rows:
            drugs = [d for d in LIVER_TEST_DRUGS if d in plain(row.get("text"))]
            if drugs and col.get("id") not in (row.get("answer") or []):
                problems.append(f"{drugs[0]} needs liver tests but is not marked in the column "
                                f"'{col.get('text')}'")
    return problems


def cue_key_problems(stem: str, keyed_rationales: Iterable[str]) -> list[str]:
    """A stem asking for cues to one thing must not key an option explained as another kind of cue."""
    if not _NARROW_CUES.search(plain(stem)):
        return []
    return [f"the stem asks for cues to one problem, but a keyed option is explained as "
            f"'{match.group(0)}', so widen the stem or un-key it"
            for why in keyed_rationales if (match := _OTHER_CUE.search(plain(why)))]
