"""pylti1p3 tool configuration backed by the database, keyed by (issuer, client_id)."""
import time
from typing import Any

from flask import current_app, g, has_request_context
from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration as LtiRegistration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import and_, inspect, select
from sqlalchemy.orm import make_transient_to_detached

from course.db import db
from course.lti import claims, keys
from course.lti.dynreg_service import adopt_first_deployment
from course.models import Deployment, Registration

MEMO = "_lti_registrations"  # on flask.g: (issuer, client_id) -> row, for one request
DEPLOYMENTS = "_lti_deployments"  # on flask.g: (registration id, deployment id) -> known?
# Each process also remembers a registration (with a known deployment) this long, so a login
# and a launch read no row: the same 5 s the security headers' platform origins are kept
# (course/security.py). A changed or removed registration takes effect within that time.
REMEMBER_SECONDS = 5.0
REMEMBERED = "lti.registrations"  # in app.extensions: (issuer, client id, deployment) -> row


def _query_registration(issuer: str, client_id: str | None,
                        deployment_id: str | None = None) -> Registration | None:
    """The registration for an issuer and client id; a lone registration when no client id.

    Given the launch's deployment id, the same query says whether that deployment is
    registered, and the answer is kept for find_deployment_by_params.
    """
    stmt = select(Registration).where(Registration.issuer == issuer)
    if client_id and deployment_id is not None:
        joined = (select(Registration, Deployment.id).where(Registration.issuer == issuer,
                                                            Registration.client_id == client_id)
                  .outerjoin(Deployment, and_(Deployment.registration_id == Registration.id,
                                              Deployment.deployment_id == deployment_id)))
        row = db.session.execute(joined).first()
        if row is None:
            return None
        if has_request_context():
            g.setdefault(DEPLOYMENTS, {})[(row[0].id, deployment_id)] = row[1] is not None
        return row[0]
    if client_id:
        return db.session.scalars(stmt.where(Registration.client_id == client_id)).first()
    # OIDC login (LTI 1.3 section 5.1.1) makes client_id optional; guessing is only safe
    # when the issuer has exactly one registration.
    rows = list(db.session.scalars(stmt.limit(2)))
    return rows[0] if len(rows) == 1 else None


def find_registration_row(issuer: str, client_id: str | None,
                          deployment_id: str | None = None) -> Registration | None:
    """The registration row, read once per request (pylti1p3 and the launch both ask for it)."""
    if not has_request_context():
        return _query_registration(issuer, client_id, deployment_id)
    memo: dict = g.setdefault(MEMO, {})
    key = (issuer, client_id or None)
    if key not in memo:
        memo[key] = _remembered(issuer, client_id, deployment_id)
    return memo[key]


def _remembered(issuer: str, client_id: str | None,
                deployment_id: str | None) -> Registration | None:
    """The row from this process's memory when it was read in the last few seconds."""
    if not client_id:  # a lone-registration guess must see every registration: never kept
        return _query_registration(issuer, client_id, deployment_id)
    kept: dict = current_app.extensions.setdefault(REMEMBERED, {})
    key, now = (issuer, client_id, deployment_id), time.monotonic()
    if key in kept and kept[key][0] > now:
        row = kept[key][1]
        if deployment_id is not None:
            g.setdefault(DEPLOYMENTS, {})[(row.id, deployment_id)] = True
        return row
    row = _query_registration(issuer, client_id, deployment_id)
    # An unknown deployment may be adopted (dynamic registration), which needs the live row.
    if row is not None and (deployment_id is None
                            or g.get(DEPLOYMENTS, {}).get((row.id, deployment_id))):
        kept[key] = (now + REMEMBER_SECONDS, _snapshot(row))
    return row


def _snapshot(row: Registration) -> Registration:
    """A copy of the row in no session: a rollback elsewhere can never expire what is kept."""
    copy = Registration(**{a.key: getattr(row, a.key) for a in inspect(Registration).column_attrs})
    make_transient_to_detached(copy)
    return copy


def _deployment_known(reg: Registration, deployment_id: str) -> bool:
    """Whether a deployment id is registered: from the registration's query, else one query."""
    known = g.get(DEPLOYMENTS, {}) if has_request_context() else {}
    if (reg.id, deployment_id) in known:
        return bool(known[(reg.id, deployment_id)])
    found = db.session.scalar(select(Deployment.id).where(
        Deployment.registration_id == reg.id, Deployment.deployment_id == deployment_id))
    return found is not None


class ToolRegistration(LtiRegistration):
    """pylti1p3's registration, reading the tool's key only if something signs with it.

    Login and launch only verify the platform's signature, so they never need the tool key.
    """

    def get_tool_private_key(self) -> str | None:
        """The signing key's private PEM."""
        return keys.signing_key().private_pem

    def get_tool_public_key(self) -> str | None:
        """The signing key's public PEM; pylti1p3 derives the `kid` of its assertions from it."""
        return keys.public_pem(keys.signing_key())


class DbToolConf(ToolConfAbstract):
    """Tool configuration read from Registration and Deployment rows."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        """Always many: Canvas cloud shares one issuer between every institution."""
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        """Always many, see check_iss_has_one_client."""
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Any:
        """Not used: every lookup goes through find_registration_by_params."""
        return self.find_registration_by_params(iss, None)

    # pylti1p3 annotates a Registration, but its callers check for None (no registration found).
    def find_registration_by_params(  # type: ignore[override]
            self, iss: str, client_id: str | None, *args: Any,
            **kwargs: Any) -> LtiRegistration | None:
        """Build pylti1p3's registration object from our row."""
        body = kwargs.get("jwt_body") or {}
        deployment_id = body.get(claims.DEPLOYMENT_ID) if isinstance(body, dict) else None
        row = find_registration_row(iss, client_id,
                                    deployment_id if isinstance(deployment_id, str) else None)
        if row is None:
            return None
        reg = ToolRegistration()
        reg.set_issuer(row.issuer).set_client_id(row.client_id)
        reg.set_auth_login_url(row.auth_login_url).set_auth_token_url(row.auth_token_url)
        # A stored key set is the platform's JWKS object, the shape of pylti1p3's TKeySet.
        reg.set_key_set_url(row.key_set_url).set_key_set(row.key_set)  # type: ignore[arg-type]
        if row.auth_audience:
            reg.set_auth_audience(row.auth_audience)
        return reg

    def find_deployment(self, iss: str, deployment_id: str) -> LtiDeployment | None:
        """Not used: every lookup goes through find_deployment_by_params."""
        return None

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str,
                                  *args: Any, **kwargs: Any) -> LtiDeployment | None:
        """The deployment if it is registered under this issuer and client id."""
        row = find_registration_row(iss, client_id)
        if row is None:
            return None
        # A registration made by dynamic registration without a deployment id (Canvas) takes
        # the deployment of its first launch; every other unknown deployment is refused.
        if not _deployment_known(row, deployment_id) and not adopt_first_deployment(
                row, deployment_id):
            return None
        return LtiDeployment().set_deployment_id(deployment_id)
