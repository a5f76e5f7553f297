"""LTI Assignment and Grade Services 2.0 client: find or create a quiz's line item, post scores."""
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from pylti1p3.exception import LtiException

from course.extensions import cache
from course.lti import claims
from course.lti.grade_advice import refused_message
from course.lti.launch import restore_launch
from course.lti.tokens import (
    CONFIG,
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_READONLY,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
    ServiceError,
    get_pages,
    page_list,
    retry_after_seconds,
    service_request,
)
from course.models import Context, Registration

SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
RESULTS_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"
LEARNER = "learner"  # AgsError.problem: the platform refuses this learner (final, resendable)
SCORE_MAXIMUM = 100
QUIZ_TAG = "quiz"
CREATE_LOCK_SECONDS = 30


class AgsError(ServiceError):
    """A grade-service failure; `.retryable` tells the outbox whether to try again later."""


class QuizLike(Protocol):
    """What this module needs of a quiz: its slug and title (duck-typed, any Quiz model)."""

    slug: str
    title: str


T = TypeVar("T")


def _as_ags(reg: Registration, call: Callable[[], T]) -> T:
    """Run a service call, turning a token or transport ServiceError into an AgsError."""
    try:
        return call()
    except AgsError:
        raise
    except ServiceError as exc:
        if exc.problem == CONFIG:  # a refused token: say what to switch on, and keep trying
            raise AgsError(refused_message(reg, exc.message), True, exc.status,
                           exc.retry_after, CONFIG) from exc
        raise AgsError(exc.message, exc.retryable, exc.status, exc.retry_after) from exc


def resource_id(quiz: QuizLike) -> str:
    """The line item resourceId that ties a platform grade column to a quiz."""
    return f"quiz:{quiz.slug}"


def scores_url(lineitem_url: str) -> str:
    """The line item URL with `/scores` added to its path, before any query (AGS 3.4)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def with_query(url: str, **params: str) -> str:
    """Add query parameters to a URL that may already carry some (Moodle's `?type_id=`)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def _scopes(context: Context, needed: tuple[str, ...]) -> list[str]:
    """Every AGS scope the launch granted, so one cached token serves all grade calls."""
    granted = [s for s in (context.ags_scopes or []) if isinstance(s, str)]
    if not granted:
        return list(needed)
    usable = [s for s in needed if s in granted]
    if not usable:
        # The next launch after an admin enables grade services brings the new scopes.
        raise AgsError(refused_message(context.registration, "the launch did not grant "
                                       f"{' or '.join(needed)}"), True, problem=CONFIG)
    return sorted(set(granted))


def _failure(resp: requests.Response, what: str, reg: Registration) -> AgsError:
    """Classify a failed response: 5xx and 429 pass; 401 and 403 are settings; other 4xx final."""
    code = resp.status_code
    detail = resp.text[:200].strip()
    said = f": {detail}" if detail else ""
    if code in (401, 403):  # a fresh token was refused too: the platform's settings forbid it
        return AgsError(refused_message(reg, f"HTTP {code} when asked to {what}{said}"), True,
                        code, retry_after_seconds(resp), CONFIG)
    retryable = code >= 500 or code == 429
    # Canvas: 422 "User not found in course or is not a student"; final for this learner now,
    # but the instructor can resend once the enrolment is fixed.
    learner = code == 422 and "not found in course" in detail.lower()
    return AgsError(f"The platform refused to {what} (HTTP {code}){said}.", retryable, code,
                    retry_after_seconds(resp), LEARNER if learner else None)


def post_score(context: Context, lineitem_url: str, payload: dict[str, Any]) -> None:
    """POST a score to the line item's scores endpoint (AGS 3.4); raise AgsError on failure."""
    reg = context.registration
    scopes = _scopes(context, (SCOPE_SCORE,))
    body = json.dumps(payload)
    resp = _as_ags(reg, lambda: service_request(reg, scopes, "POST", scores_url(lineitem_url),
                                                data=body, headers={"Content-Type": SCORE_TYPE}))
    if not resp.ok:
        raise _failure(resp, "accept the score", reg)


# gradingProgress (AGS 3.4.3.1): final, waiting for the tool, or waiting for a person (an essay
# the instructor has not marked yet). Platforms record scoreGiven with FullyGraded or PendingManual.
FULLY_GRADED, PENDING, PENDING_MANUAL = "FullyGraded", "Pending", "PendingManual"
GRADING_PROGRESS = (FULLY_GRADED, PENDING, PENDING_MANUAL, "Failed", "NotReady")


def score_payload(user_sub: str, score_given: float, score_maximum: float,
                  timestamp: datetime | None = None, comment: str | None = None,
                  activity: str = "Completed", grading: str = FULLY_GRADED) -> dict[str, Any]:
    """A score object (AGS 3.4.3); the timestamp lets the platform drop stale or repeated ones."""
    if grading not in GRADING_PROGRESS:
        raise ValueError(f"gradingProgress {grading!r} is not one of {', '.join(GRADING_PROGRESS)}")
    when = (timestamp or datetime.now(UTC)).astimezone(UTC)
    payload: dict[str, Any] = {
        "userId": user_sub, "scoreGiven": score_given, "scoreMaximum": score_maximum,
        "activityProgress": activity, "gradingProgress": grading,
        "timestamp": when.isoformat(timespec="milliseconds").replace("+00:00", "Z")}
    if comment:
        payload["comment"] = comment
    return payload


def launch_lineitem_for(launch_body: dict[str, Any] | None, quiz: QuizLike) -> str | None:
    """The launch's own line item, only when this launch's resource link is this quiz's."""
    if not launch_body:
        return None
    custom = launch_body.get(claims.CUSTOM) or {}
    if str(custom.get("resource", "")) != resource_id(quiz):
        return None
    endpoint = launch_body.get(claims.AGS) or {}
    url = endpoint.get("lineitem")
    return str(url) if url else None


def launch_lineitem(launch_id: str | None, quiz: QuizLike) -> str | None:
    """The current launch's line item for this quiz, read from the cached launch (request only)."""
    if not launch_id:
        return None
    try:
        body = restore_launch(launch_id).launch_body()
    except LtiException:
        return None  # launch data expired from the cache: search by resourceId instead
    return launch_lineitem_for(body, quiz)


def line_item_for_quiz(context: Context, quiz: QuizLike,
                       launch_lineitem: str | None = None) -> str:
    """The line item URL for a quiz: the launch's own, else found by resourceId, else created."""
    if launch_lineitem:
        return launch_lineitem
    if not context.lineitems_url:
        raise AgsError("The platform sent no line items endpoint for this course, so grades "
                       "cannot be sent. Enable grade services (AGS) for the tool.", False)
    found = find_line_item(context, resource_id(quiz))
    if found:
        return found
    # Two workers scoring the first attempt at once must not create two grade columns.
    lock = f"ags-create:{context.id}:{resource_id(quiz)}"
    if not cache.add(lock, 1, timeout=CREATE_LOCK_SECONDS):
        raise AgsError("Another worker is creating this quiz's grade column; try again shortly.",
                       retryable=True, retry_after=5)
    try:
        return find_line_item(context, resource_id(quiz)) or create_line_item(context, quiz)
    finally:
        cache.delete(lock)


def find_line_item(context: Context, wanted: str) -> str | None:
    """Search the context's line items for a resourceId, following every page (AGS 3.2)."""
    assert context.lineitems_url
    scopes = _scopes(context, (SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY))
    url = with_query(context.lineitems_url, resource_id=wanted)

    def search() -> str | None:
        """Walk the pages; the filter is a hint a platform may ignore, so check each item."""
        for resp in get_pages(context.registration, scopes, url, CONTAINER_TYPE):
            if not resp.ok:
                raise _failure(resp, "list the course's line items", context.registration)
            for item in page_list(resp, "line items", AgsError):
                if isinstance(item, dict) and item.get("resourceId") == wanted and item.get("id"):
                    return str(item["id"])
        return None
    return _as_ags(context.registration, search)


def _iso(value: Any) -> str | None:
    """A date as AGS writes it (ISO 8601 in UTC); None when there is none."""
    if not isinstance(value, datetime):
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


def line_item_body(quiz: QuizLike) -> dict[str, Any]:
    """A new line item for a quiz, with its open and close dates when it has them (AGS 3.2.8)."""
    body: dict[str, Any] = {"label": quiz.title, "scoreMaximum": SCORE_MAXIMUM,
                            "resourceId": resource_id(quiz), "tag": QUIZ_TAG}
    # Dates are optional on a quiz-like object (getattr): the LMS shows them as availability.
    for name, attr in (("startDateTime", "open_at"), ("endDateTime", "close_at")):
        when = _iso(getattr(quiz, attr, None))
        if when is not None:
            body[name] = when
    return body


def create_line_item(context: Context, quiz: QuizLike) -> str:
    """Create the quiz's grade column (AGS 3.2.4) and return its URL."""
    assert context.lineitems_url
    scopes = _scopes(context, (SCOPE_LINEITEM,))
    body = json.dumps(line_item_body(quiz))
    resp = _as_ags(context.registration, lambda: service_request(
        context.registration, scopes, "POST", context.lineitems_url or "", data=body,
        headers={"Content-Type": LINEITEM_TYPE, "Accept": LINEITEM_TYPE}))
    if not resp.ok:
        raise _failure(resp, "create the quiz's line item", context.registration)
    try:
        created = resp.json()
    except ValueError:
        created = None
    if not isinstance(created, dict) or not created.get("id"):
        raise AgsError("The platform created a line item but did not say its id.", True)
    return str(created["id"])


def results_url(lineitem_url: str) -> str:
    """The line item URL with `/results` added to its path, before any query (AGS 3.3)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/results"))


def fetch_results(context: Context, lineitem_url: str) -> list[dict[str, Any]]:
    """Every result the platform holds for a line item, following Link rel="next" (AGS 3.3)."""
    granted = [s for s in (context.ags_scopes or []) if isinstance(s, str)]
    if SCOPE_RESULT_READONLY not in granted:
        raise AgsError("The platform did not grant the tool the result.readonly scope, so the "
                       "tool cannot read which scores the LMS holds.", False, problem=CONFIG)
    reg = context.registration
    found: list[dict[str, Any]] = []

    def read() -> None:
        """Walk the pages, keeping each result object."""
        for resp in get_pages(reg, sorted(set(granted)), results_url(lineitem_url),
                              RESULTS_TYPE):
            if not resp.ok:
                raise _failure(resp, "list the line item's results", reg)
            found.extend(r for r in page_list(resp, "results", AgsError) if isinstance(r, dict))
    _as_ags(reg, read)
    return found
