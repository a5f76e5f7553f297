"""The demo platform's side of LTI Dynamic Registration 1.0, so the one-URL flow runs locally.

The demo's issuer (an .invalid host) cannot be reached over the network, so requests to it are
served in-process: the tool fetches the configuration from the issuer's own origin and the
issuer check stays honest. Browser-facing URLs (auth) use the tool's configured address
(views.demo_root), never a request's Host header.
"""
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import requests
from flask import Response, current_app, has_request_context, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, URLSafeTimedSerializer

from course.extensions import csrf
from course.lti import http
from course.lti.demo import platform as demo
from course.lti.demo.embed import demo_root
from course.lti.dynreg_service import create_link
from course.routes import Routes

TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
TOKEN_MAX_AGE = 3600  # like Canvas: a registration token is good for one hour
routes = Routes()  # added to the `demo` blueprint by course/lti/demo/blueprint.py


class InProcessAdapter(requests.adapters.BaseAdapter):
    """Serve requests to the demo issuer's origin from the running app, without sockets."""

    def send(self, request: requests.PreparedRequest, *args: Any,
             **kwargs: Any) -> requests.Response:
        """Run the request against the current app, at the browser's own base URL."""
        req = request  # the outgoing request; the module's `request` is Flask's
        parsed = urlparse(req.url)
        base = demo_root() if has_request_context() else demo.ISSUER
        resp = current_app.test_client().open(
            parsed.path, method=req.method, query_string=parsed.query, data=req.body,
            headers=dict(req.headers), base_url=base)
        out = requests.Response()
        out.status_code, out._content, out.url, out.request = (resp.status_code,
                                                               resp.get_data(), req.url or "", req)
        out.headers.update(dict(resp.headers))
        return out

    def close(self) -> None:
        """Nothing to release."""


def route_issuer(state: Any) -> None:
    """Whenever the demo is switched on, its issuer's origin is served by the app itself."""
    http.mount(demo.ISSUER + "/", InProcessAdapter())


def _tokens() -> URLSafeTimedSerializer:
    """Signs the demo's registration tokens."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="demo-registration")


@routes.post("/register-tool")
def register_tool() -> ResponseReturnValue:
    """The demo admin's 'add a tool by URL': a one-time tool link, opened with our config."""
    token, _ = create_link(timedelta(minutes=10), "Demo platform")
    return redirect(url_for("lti.register", rt=token,
                            openid_configuration=demo.ISSUER + "/demo/openid-configuration",
                            registration_token=_tokens().dumps({"scope": "reg"})))


@routes.get("/openid-configuration")
def openid_configuration() -> Response:
    """The demo platform's OpenID configuration (DR 1.0 section 3.4)."""
    root = demo_root()
    return jsonify({
        "issuer": demo.ISSUER, "authorization_endpoint": root + "demo/auth",
        "token_endpoint": root + "demo/token", "jwks_uri": demo.ISSUER + "/demo/jwks",
        "registration_endpoint": demo.ISSUER + "/demo/register-client",
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "response_types_supported": ["id_token"], "scopes_supported": ["openid"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "https://purl.imsglobal.org/spec/lti-platform-configuration": {
            "product_family_code": "ms-muscle-course-demo", "version": "1",
            "messages_supported": [{"type": "LtiResourceLinkRequest"},
                                   {"type": "LtiDeepLinkingRequest"}]}})


@routes.get("/jwks")
def jwks() -> Response:
    """The demo platform's public keys."""
    return jsonify(demo.platform_jwks())


@routes.post("/register-client")
@csrf.exempt
def register_client() -> ResponseReturnValue:
    """Accept the tool's registration when the token is ours and the tool's URLs are this app's."""
    try:
        _tokens().loads(request.headers.get("Authorization", "")[7:], max_age=TOKEN_MAX_AGE)
    except BadSignature:
        return jsonify({"error": "invalid_token"}), 401
    body = request.get_json(silent=True)
    root = demo_root()
    if not isinstance(body, dict) or body.get("redirect_uris") != [root + "lti/launch"] or \
            body.get("initiate_login_uri") != root + "lti/login" or \
            not isinstance(body.get(TOOL_CONFIG), dict):
        return jsonify({"error": "invalid_client_metadata"}), 400
    tool = {**body[TOOL_CONFIG], "deployment_id": demo.DEPLOYMENT_ID}
    return jsonify({**body, "client_id": demo.CLIENT_ID, TOOL_CONFIG: tool})
