"""pylti1p3 tool configuration backed by the database, keyed by (issuer, client_id)."""
from typing import Any, Optional

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration as LtiRegistration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import select

from course.db import db
from course.lti import keys
from course.models import Deployment, Registration


def find_registration_row(issuer: str, client_id: Optional[str]) -> Optional[Registration]:
    """The registration for an issuer and client id; a lone registration when no client id."""
    stmt = select(Registration).where(Registration.issuer == issuer)
    if client_id:
        return db.session.scalars(stmt.where(Registration.client_id == client_id)).first()
    # OIDC login (LTI 1.3 section 5.1.1) makes client_id optional; guessing is only safe
    # when the issuer has exactly one registration.
    rows = list(db.session.scalars(stmt.limit(2)))
    return rows[0] if len(rows) == 1 else None


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

    def find_registration_by_params(self, iss: str, client_id: Optional[str], *args: Any,
                                    **kwargs: Any) -> Optional[LtiRegistration]:
        """Build pylti1p3's registration object from our row, with the tool's signing key."""
        row = find_registration_row(iss, client_id)
        if row is None:
            return None
        key = keys.signing_key()
        reg = LtiRegistration()
        reg.set_issuer(row.issuer).set_client_id(row.client_id)
        reg.set_auth_login_url(row.auth_login_url).set_auth_token_url(row.auth_token_url)
        reg.set_key_set_url(row.key_set_url).set_key_set(row.key_set)
        if row.auth_audience:
            reg.set_auth_audience(row.auth_audience)
        reg.set_tool_private_key(key.private_pem)
        # pylti1p3 derives the `kid` of its client assertions from the public key.
        reg.set_tool_public_key(keys.public_pem(key))
        return reg

    def find_deployment(self, iss: str, deployment_id: str) -> Optional[LtiDeployment]:
        """Not used: every lookup goes through find_deployment_by_params."""
        return None

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str,
                                  *args: Any, **kwargs: Any) -> Optional[LtiDeployment]:
        """The deployment if it is registered under this issuer and client id."""
        stmt = (select(Deployment).join(Registration)
                .where(Registration.issuer == iss, Registration.client_id == client_id,
                       Deployment.deployment_id == deployment_id))
        if db.session.scalars(stmt).first() is None:
            return None
        return LtiDeployment().set_deployment_id(deployment_id)
