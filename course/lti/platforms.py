"""Platform registrations: presets for Moodle and Canvas, and an idempotent upsert."""
from dataclasses import dataclass

from sqlalchemy import select

from course.db import db
from course.models import Deployment, Registration
from course.security import invalidate_origins

# Canvas cloud: one issuer per environment for every institution, sso.canvaslms.com endpoints.
CANVAS = {
    "prod": ("https://canvas.instructure.com", "https://sso.canvaslms.com"),
    "beta": ("https://canvas.beta.instructure.com", "https://sso.beta.canvaslms.com"),
    "test": ("https://canvas.test.instructure.com", "https://sso.test.canvaslms.com"),
}


@dataclass(frozen=True)
class PlatformUrls:
    """Issuer and the three endpoint URLs of a platform."""

    issuer: str
    auth_url: str
    token_url: str
    jwks_url: str


def moodle_urls(base_url: str) -> PlatformUrls:
    """Moodle's standard LTI 1.3 endpoints under its site URL (the issuer)."""
    base = base_url.rstrip("/")
    return PlatformUrls(base, f"{base}/mod/lti/auth.php", f"{base}/mod/lti/token.php",
                        f"{base}/mod/lti/certs.php")


def canvas_urls(environment: str = "prod") -> PlatformUrls:
    """Canvas cloud endpoints for production, beta or test."""
    issuer, sso = CANVAS[environment]
    return PlatformUrls(issuer, f"{sso}/api/lti/authorize_redirect",
                        f"{sso}/login/oauth2/token", f"{sso}/api/lti/security/jwks")


def upsert_platform(urls: PlatformUrls, client_id: str, deployment_ids: list[str],
                    name: str = "", key_set: dict | None = None) -> tuple[Registration, list[str]]:
    """Create or update the registration for (issuer, client_id); add missing deployments.

    Writes, and forgets the cached frame origins, only when something changed: the demo
    platform calls this on every launch.
    """
    reg = db.session.scalars(select(Registration).where(
        Registration.issuer == urls.issuer, Registration.client_id == client_id)).first()
    if reg is None:
        reg = Registration(issuer=urls.issuer, client_id=client_id)
        db.session.add(reg)
    wanted = {"auth_login_url": urls.auth_url, "auth_token_url": urls.token_url,
              "key_set_url": urls.jwks_url or None, "key_set": key_set,
              "name": name or reg.name or urls.issuer}
    changed = reg.id is None or any(getattr(reg, k) != v for k, v in wanted.items())
    for attr, value in wanted.items():
        setattr(reg, attr, value)
    known = {d.deployment_id for d in reg.deployments}
    added = [d for d in dict.fromkeys(deployment_ids) if d and d not in known]
    reg.deployments.extend(Deployment(deployment_id=d) for d in added)
    if changed or added:
        db.session.commit()
        invalidate_origins()
    return reg, added


def all_platforms() -> list[Registration]:
    """Every registration, oldest first."""
    return list(db.session.scalars(select(Registration).order_by(Registration.id)))
