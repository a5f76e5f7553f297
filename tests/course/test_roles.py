"""Course roles through a real signed launch: the gradebook and the system-admin setting.

The role arrays themselves are pure tables in test_role_table.py.
"""
from tests.conftest import launch

V2 = "http://purl.imsglobal.org/vocab/lis/v2/"
M, INST, SYS = V2 + "membership", V2 + "institution/person#", V2 + "system/person#"


def _cid(resp):
    """The context id of a launch's redirect to /c/<cid>/."""
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return int(resp.location.split("/c/")[1].split("/")[0])


def test_student_who_teaches_elsewhere_gets_no_gradebook(client, platform):
    roles = (INST + "Instructor", INST + "Student", M + "#Learner", SYS + "User")
    cid = _cid(launch(client, platform, user="student-teacher", roles=roles))
    home = client.get(f"/c/{cid}/").get_data(as_text=True)
    assert "Instructor view" not in home and 'class="role-badge">learner<' in home
    base = f"/c/{cid}/quizzes/instructor"
    assert client.get(f"{base}/gradebook").status_code == 403
    csv = client.get(f"{base}/gradebook.csv")
    assert csv.status_code == 403 and "@" not in csv.get_data(as_text=True).split("<main")[-1]


def test_system_admin_setting_applies_to_launches(app, platform):
    roles = (INST + "Administrator", SYS + "SysAdmin", SYS + "User")
    browser = app.test_client()
    cid = _cid(launch(browser, platform, user="root", roles=roles))
    assert browser.get(f"/c/{cid}/quizzes/instructor/gradebook").status_code == 200
    app.config["LTI_SYSTEM_ADMIN_IS_INSTRUCTOR"] = False
    other = app.test_client()
    cid = _cid(launch(other, platform, user="root", roles=roles, context="course-2"))
    assert other.get(f"/c/{cid}/quizzes/instructor/gradebook").status_code == 403
