"""The `lti` blueprint: login, launch, JWKS, deep linking and dynamic registration, in one place."""
from flask import Blueprint

from course.lti import deep_link_views, dynreg_views, views
from course.lti.errors import LaunchRejected

bp = Blueprint("lti", __name__, url_prefix="/lti", template_folder="templates")

# Each controller records its routes in a table; a new controller is one line here.
for _routes in (views.routes, deep_link_views.routes, dynreg_views.routes):
    _routes.register(bp)
# Every rejected launch, wherever it is raised, gets the clear 4xx page.
bp.app_errorhandler(LaunchRejected)(views.rejected)
