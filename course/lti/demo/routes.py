"""Demo platform pages: pick a person and course, then launch the tool for real."""
from flask import Response, abort, render_template, request
from lti1p3platform.exceptions import LtiException

from course.lti.demo import embed
from course.lti.demo import platform as demo
from course.lti.demo.embed import demo_root
from course.lti.platforms import PlatformUrls, upsert_platform
from course.routes import Routes

routes = Routes()  # added to the `demo` blueprint by course/lti/demo/blueprint.py


def _ensure_registration() -> str:
    """Register the demo platform with the tool, at the tool's configured address."""
    root = demo_root()
    # The authorization endpoint lives on the platform's own site (embedded mode: another one).
    urls = PlatformUrls(demo.ISSUER, embed.platform_root() + "demo/auth", root + "demo/token", "")
    upsert_platform(urls, demo.CLIENT_ID, [demo.DEPLOYMENT_ID], "Demo platform",
                    key_set=demo.platform_jwks())
    return root


@routes.get("/")
def index() -> str:
    """Choose who to be and which course to open."""
    return render_template("demo/index.html", people=demo.PEOPLE.values(), courses=demo.COURSES)


@routes.post("/start")
def start() -> Response:
    """Begin a launch: third-party initiated login at the tool (LTI 1.3 section 5.1.1)."""
    person = demo.PEOPLE.get(request.form.get("person", ""))
    course = request.form.get("course", "")
    kind = request.form.get("kind", "resource")
    if person is None or course not in demo.COURSES or kind not in {"resource", "deep_link"}:
        abort(400, "Choose a demo person, a course and a launch type.")
    if kind == "deep_link" and person.role != "instructor":
        abort(400, "Only the demo instructor can add content (deep linking).")
    root = _ensure_registration()
    conf = demo.DemoPlatformConf(root=root)
    login = demo.DemoLogin(request, conf)
    login.storage_target = embed.storage_target()
    login.set_lti_message_hint(hint=demo.make_hint(
        {"sub": person.sub, "course": course, "kind": kind}))
    return login.initiate_login(person.sub)


@routes.get("/auth")
def auth() -> Response | str:
    """The platform's OIDC authorization endpoint: check the request, then sign the launch."""
    args = request.args
    hint = demo.read_hint(args.get("lti_message_hint", ""))
    root = demo_root()
    # lti1p3platform checks neither of these, so the demo platform does (OIDC Core 3.1.2.1).
    if hint is None or args.get("login_hint") != hint["sub"]:
        abort(400, "The login_hint does not match the launch that was started.")
    if args.get("redirect_uri") != root + "lti/launch":
        abort(400, "The redirect_uri is not the tool's registered launch URL.")
    launch = demo.DemoLaunch(demo.DemoRequest(request), demo.DemoPlatformConf(root=root))
    _describe(launch, hint, root)
    try:
        return launch.lti_launch()
    except LtiException as exc:
        abort(400, f"The demo platform refused the login: {exc.__class__.__name__}")


def _describe(launch: demo.DemoLaunch, hint: dict, root: str) -> None:
    """Fill in the claims a real LMS would send for this person and course."""
    person, course = demo.PEOPLE[hint["sub"]], hint["course"]
    launch.set_user_data(person.sub, [demo.ROLE_URIS[person.role]], full_name=person.name,
                         email_address=f"{person.sub}@demo.invalid")
    launch.set_launch_context_claim(course, context_title=demo.COURSES[course],
                                    context_label=course.upper())
    launch.set_resource_link_claim(f"{course}-link", title="MS and muscles")
    launch.set_launch_presentation_claim(document_target="iframe",
                                         return_url=embed.platform_root() + "demo/")
    launch.set_ags(f"{root}demo/ags/{course}/lineitems")
    launch.set_nrps(f"{root}demo/nrps/{course}/memberships")
    if hint["kind"] == "deep_link":
        launch.set_dl(root + "demo/deep-link-return", title="MS and muscles",
                      accept_types={"ltiResourceLink"})

