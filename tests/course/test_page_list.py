"""One LTI service page read as a JSON list: AGS line items and results, NRPS members, groups."""
import pytest
import requests

from course.lti.ags import AgsError
from course.lti.nrps import NrpsError
from course.lti.tokens import page_list


def page(body: bytes) -> requests.Response:
    """A 200 response with this body, as the platform sent it."""
    resp = requests.Response()
    resp.status_code, resp._content = 200, body  # noqa: SLF001 - requests has no public builder
    resp.headers["Content-Type"] = "application/json"
    return resp


def test_a_bare_array_and_an_array_under_its_key():
    assert page_list(page(b'[{"id": "1"}]'), "line items", AgsError) == [{"id": "1"}]
    assert page_list(page(b'{"members": [1, 2]}'), "roster", NrpsError, "members") == [1, 2]


def test_a_body_that_is_not_json_may_pass_later():
    with pytest.raises(NrpsError) as caught:
        page_list(page(b"<html>Bad gateway</html>"), "roster", NrpsError, "members")
    assert caught.value.retryable
    assert caught.value.message == "The platform's roster page is not JSON."


@pytest.mark.parametrize("body, key, words", [
    (b'{"id": "1"}', None, "is not a JSON array"),
    (b"[]", "members", "has no 'members' list"),
    (b'{"members": {"a": 1}}', "members", "has no 'members' list"),
])
def test_the_wrong_shape_is_not_retried(body, key, words):
    with pytest.raises(AgsError) as caught:
        page_list(page(body), "results", AgsError, key)
    assert not caught.value.retryable
    assert caught.value.message == f"The platform's results page {words}."
