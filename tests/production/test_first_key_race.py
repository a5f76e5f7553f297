"""Processes that create the tool's first signing key at the same moment each sign with their
own key (three `flask worker` processes did, and one's AGS token requests were refused): every
such key must be published until a rotation retires it."""
from course.db import db
from course.lti import keys


def race_first_keys(app, n: int) -> list[str]:
    """What n processes finding no key at once do: each stores a new key; returns their kids."""
    with app.app_context():
        rows = [keys._new_key() for _ in range(n)]
        db.session.add_all(rows)
        db.session.commit()
        return [row.kid for row in rows]


def test_every_key_created_in_a_first_use_race_is_published(app, client):
    kids = race_first_keys(app, 3)
    published = [k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]]
    assert set(kids) <= set(published)


def test_rotation_retires_the_extra_keys_of_a_race(app, client):
    kids = race_first_keys(app, 3)
    assert app.test_cli_runner().invoke(args=["lti", "rotate-key"]).exit_code == 0
    published = [k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]]
    assert len(published) == 2 and published[1] == kids[-1]
