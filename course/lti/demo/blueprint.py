"""The `demo` blueprint: the demo platform's pages, services and registration, in one place."""
from flask import Blueprint

from course.lti.demo import embed, registration, routes, service_routes

bp = Blueprint("demo", __name__, url_prefix="/demo", template_folder="templates",
               static_folder="static", static_url_path="/static/demo")

# The launch pages, the LTI Advantage services (AGS, NRPS, token, deep-link return) and the
# platform's side of dynamic registration: each controller records its routes in a table.
for _routes in (routes.routes, service_routes.routes, registration.routes):
    _routes.register(bp)
# Whenever the demo is switched on, its issuer's origin is served by the app itself.
bp.record(registration.route_issuer)
# Embedded mode: the tool framed from another site, with or without platform storage.
bp.context_processor(embed.embed_context)
bp.after_request(embed.allow_the_tool)
