"""Course role from the exact roles arrays Moodle 4.5 and Canvas send: pure tables, no app.

These are the tests `make mutate` runs against course/roles.py; the launches are in test_roles.py.
"""
import pytest

from course.roles import INSTRUCTOR, LEARNER, OBSERVER, context_role, role_for

V2 = "http://purl.imsglobal.org/vocab/lis/v2/"
M, INST, SYS = V2 + "membership", V2 + "institution/person#", V2 + "system/person#"

# Moodle 4.5, mod/lti/locallib.php: lti_get_ims_role() gives 'Instructor' to anyone with
# mod/lti:manage (editingteacher, teacher and manager archetypes, mod/lti/db/access.php), else
# 'Learner'; a site admin passes every capability check, enrolled or not, and also gets
# 'urn:lti:sysrole:ims/lis/Administrator' and 'urn:lti:instrole:ims/lis/Administrator' (Learner
# removed). lti_sign_jwt() turns urn:lti:role:ims/lis/X and bare names into membership#X,
# instrole into institution/person#X, sysrole into system/person#X, then sorts the array.
MOODLE = [
    ("moodle teacher", [M + "#Instructor"], INSTRUCTOR),
    ("moodle non-editing teacher", [M + "#Instructor"], INSTRUCTOR),
    ("moodle student", [M + "#Learner"], LEARNER),
    ("moodle site admin, enrolled",
     [INST + "Administrator", M + "#Instructor", SYS + "Administrator"], INSTRUCTOR),
    ("moodle site admin, not enrolled",  # same array: capability checks pass for site admins
     [INST + "Administrator", M + "#Instructor", SYS + "Administrator"], INSTRUCTOR),
]
# Canvas: enrollment roles plus institution roles, deduplicated and sorted
# (/work/shared/design.md, "What Canvas does", read from canvas-lms's source).
CANVAS = [
    ("canvas student", [INST + "Student", M + "#Learner", SYS + "User"], LEARNER),
    ("canvas teacher", [INST + "Instructor", M + "#Instructor", SYS + "User"], INSTRUCTOR),
    ("canvas TA", [INST + "Instructor", M + "#Instructor", M + "/Instructor#TeachingAssistant",
                   SYS + "User"], INSTRUCTOR),
    ("canvas designer", [INST + "Instructor", M + "#ContentDeveloper", SYS + "User"], INSTRUCTOR),
    ("canvas observer", [M + "#Mentor", SYS + "User"], OBSERVER),
    ("canvas student who teaches elsewhere",
     [INST + "Instructor", INST + "Student", M + "#Learner", SYS + "User"], LEARNER),
    ("canvas test student", [INST + "Student", M + "#Learner", SYS + "User",
                             "http://purl.imsglobal.org/vocab/lti/system/person#TestUser"],
     LEARNER),
    ("canvas account admin, no enrollment", [INST + "Administrator", SYS + "User"], OBSERVER),
    ("canvas site admin, no enrollment",
     [INST + "Administrator", SYS + "SysAdmin", SYS + "User"], INSTRUCTOR),
    ("canvas site admin enrolled as student",
     [INST + "Administrator", INST + "Student", M + "#Learner", SYS + "SysAdmin", SYS + "User"],
     INSTRUCTOR),
]


@pytest.mark.parametrize("case, roles, expected", MOODLE + CANVAS, ids=[c[0] for c in
                                                                        MOODLE + CANVAS])
def test_real_lms_role_arrays(case, roles, expected):
    assert role_for(roles) == expected, case


@pytest.mark.parametrize("roles, expected", [
    ([INST + "Instructor"], OBSERVER),  # institution roles never grant course rights
    ([INST + "Instructor", INST + "Faculty", INST + "Student"], OBSERVER),
    (["urn:lti:instrole:ims/lis/Instructor"], OBSERVER),
    (["Instructor"], INSTRUCTOR),  # the short forms LTI 1.3 A.2.3.1 allows for context roles
    (["Learner"], LEARNER),
    (["Mentor"], OBSERVER),
    (["urn:lti:role:ims/lis/TeachingAssistant"], INSTRUCTOR),
    ([M + "/Instructor#Grader"], INSTRUCTOR),
    ([M + "/Learner#NonCreditLearner"], LEARNER),
    ([M + "/Mentor#Advisor"], OBSERVER),
    ([M + "#Administrator"], INSTRUCTOR),  # a context administrator runs the course
    ([M + "#Manager"], OBSERVER),
    ([], OBSERVER),
    ([SYS + "User", "http://purl.imsglobal.org/vocab/lis/v2/person#Instructor"], OBSERVER),
    ([M + "#Learner", M + "#Mentor"], LEARNER),
    ([M + "#InstructorX", "instructor", M + "#"], OBSERVER),
])
def test_only_context_roles_decide(roles, expected):
    assert role_for(roles) == expected


@pytest.mark.parametrize("roles", [[INST + "Administrator", SYS + "SysAdmin", SYS + "User"],
                                   [SYS + "Administrator"], ["urn:lti:sysrole:ims/lis/SysAdmin"]])
def test_system_admin_setting(roles):
    assert role_for(roles, system_admin_is_instructor=True) == INSTRUCTOR
    assert role_for(roles, system_admin_is_instructor=False) == OBSERVER


def test_institution_admin_setting_is_off_by_default():
    roles = [INST + "Administrator", SYS + "User"]
    assert role_for(roles) == OBSERVER
    assert role_for(roles, institution_admin_is_instructor=True) == INSTRUCTOR
    student = [INST + "Administrator", M + "#Learner"]
    assert role_for(student, institution_admin_is_instructor=False) == LEARNER


@pytest.mark.parametrize("roles, expected", [
    (["urn:lti:instrole:ims/lis/Administrator"], INSTRUCTOR),  # the LTI 1.1 spelling
    ([INST + "Administrator"], INSTRUCTOR),
    ([INST + "Instructor"], OBSERVER),  # teaching elsewhere is not administering
    (["urn:lti:instrole:ims/lis/Instructor"], OBSERVER),
    (["urn:lti:instrole:ims/lis/administrator"], OBSERVER),  # role names are case-sensitive
    ([M + "#Learner", INST + "Student"], LEARNER),
])
def test_institution_admins_in_both_spellings_when_switched_on(roles, expected):
    assert role_for(roles, institution_admin_is_instructor=True) == expected
    assert role_for(roles, institution_admin_is_instructor=False) == (LEARNER if expected == LEARNER else OBSERVER)


@pytest.mark.parametrize("role, principal", [
    (M + "#Learner", "Learner"),
    (M + "#", None),
    (M + "/Instructor#TeachingAssistant", "Instructor"),
    (M + "/Instructor#Grader#Extra", "Instructor"),  # the principal is before the first "#"
    (M + "/", None),
    ("urn:lti:role:ims/lis/Instructor", "Instructor"),
    ("urn:lti:role:ims/lis/Instructor/TeachingAssistant", "Instructor"),
    ("urn:lti:role:ims/lis/Learner/NonCreditLearner/Extra", "Learner"),  # before the first "/"
    ("urn:lti:role:ims/lis/", None),
    ("Instructor", "Instructor"),
    ("Officer", "Officer"),
    ("Faculty", None),
    (INST + "Instructor", None),
    ("urn:lti:instrole:ims/lis/Instructor", None),
    (SYS + "Administrator", None),
])
def test_context_role_table(role, principal):
    assert context_role(role) == principal
