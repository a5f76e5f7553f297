"""NRPS roster client against the independent test platform."""
import pytest

from course.db import db
from course.lti import nrps
from course.models import Context
from tests.platform import INSTRUCTOR, LEARNER
from tests.platform_services import launch_with_services, services  # noqa: F401 (fixture)

PEOPLE = [
    {"user_id": "learner-1", "name": "Ana Silva", "email": "ana@school.test", "roles": [LEARNER]},
    {"user_id": "teacher-9", "given_name": "Lee", "family_name": "Ward", "roles": [INSTRUCTOR],
     "status": "Active"},
    {"user_id": "learner-7", "name": "Never Launched", "roles": [LEARNER], "status": "Inactive"},
]


def _roster(app, cid: int) -> list[nrps.Member]:
    """Fetch the roster in a fresh app context."""
    with app.app_context():
        return nrps.fetch_roster(db.session.get(Context, cid))


def test_roster_of_two_pages(app, client, platform, services):  # noqa: F811
    services.page_size = 2
    services.members["course-1"] = PEOPLE
    cid = launch_with_services(client, platform, services, "instructor")
    roster = _roster(app, cid)
    assert [m.user_id for m in roster] == ["learner-1", "teacher-9", "learner-7"]
    ana, lee, never = roster
    assert (ana.name, ana.email, ana.role, ana.active) == ("Ana Silva", "ana@school.test",
                                                           "learner", True)
    assert (lee.name, lee.role, lee.sub) == ("Lee Ward", "instructor", "teacher-9")
    assert never.status == "Inactive" and not never.active
    pages = [c for c in services.adapter.calls if "/memberships" in c]
    assert len(pages) == 2 and "cursor=Page2Of2" in pages[1]
    assert len(services.token_requests) == 1


def test_roster_outage_is_retryable(app, client, platform, services):  # noqa: F811
    services.members["course-1"] = PEOPLE
    cid = launch_with_services(client, platform, services, "instructor")
    services.fail_next(1, status=502, path="/memberships")
    with pytest.raises(nrps.NrpsError) as err:
        _roster(app, cid)
    assert err.value.retryable


def test_roster_refused_is_explained(app, client, platform, services):  # noqa: F811
    cid = launch_with_services(client, platform, services, "instructor")
    services.fail_next(1, status=403, path="/memberships")
    with pytest.raises(nrps.NrpsError) as err:
        _roster(app, cid)
    assert not err.value.retryable and "Names and Role" in err.value.message


def test_course_without_roster_service(app, client, platform):
    from tests.conftest import launch_as
    cid = launch_as(client, platform, "instructor")
    with pytest.raises(nrps.NrpsError) as err:
        _roster(app, cid)
    assert not err.value.retryable
