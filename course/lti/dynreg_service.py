"""Dynamic registration service: one-time links, the exchange with the platform, and the one
transaction that stores the registration and spends the link."""
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import requests
from sqlalchemy import select, update

from course.db import db, utcnow
from course.lti.dynreg import (
    PlatformConfig,
    RegistrationError,
    ToolUrls,
    check_platform_config,
    client_registration,
    read_answer,
)
from course.lti.http import http_session
from course.models import Deployment, Registration, RegistrationLink
from course.security import invalidate_origins

log = logging.getLogger(__name__)
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_LIFETIME = timedelta(days=30)
MAX_ANSWER_TEXT = 300  # of a refusal's body shown to the administrator


def parse_lifetime(text: str) -> timedelta:
    """'24h', '30m', '7d' or '90s' as a timedelta; ValueError when malformed or out of range."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", text or "")
    if not match:
        raise ValueError("give a number and a unit, such as 24h, 30m or 7d")
    lifetime = timedelta(seconds=int(match.group(1)) * UNITS[match.group(2)])
    if not timedelta(0) < lifetime <= MAX_LIFETIME:
        raise ValueError("a link must last more than 0 seconds and at most 30 days")
    return lifetime


def _digest(token: str) -> str:
    """The stored form of a link token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(lifetime: timedelta, label: str = "", now: datetime | None = None
                ) -> tuple[str, RegistrationLink]:
    """A new one-time link; the token is returned once and only its hash is stored."""
    token = secrets.token_urlsafe(32)
    start = now or utcnow()
    link = RegistrationLink(token_hash=_digest(token), label=label[:255], created_at=start,
                            expires_at=start + lifetime)
    db.session.add(link)
    db.session.commit()
    return token, link


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def open_link(token: str | None) -> RegistrationLink:
    """The usable link for a token, or RegistrationError (unknown 403, used or expired 410)."""
    link = db.session.scalars(select(RegistrationLink).where(
        RegistrationLink.token_hash == _digest(token or ""))).first() if token else None
    if link is None:
        raise RegistrationError("link_unknown", "This registration link is not valid. Ask the "
                                "tool's administrator for a new one.", 403)
    if link.used_at is not None:
        raise RegistrationError("link_used", "This registration link was already used; each "
                                "link registers one platform. Ask for a new link.", 410)
    if _aware(link.expires_at) <= utcnow():
        raise RegistrationError("link_expired", "This registration link has expired. Ask the "
                                "tool's administrator for a new one.", 410)
    return link


@dataclass(frozen=True)
class Registered:
    """What the success page reports."""

    issuer: str
    client_id: str
    deployment_id: str | None
    product: str
    platform_name: str


def _get_json(url: str, what: str, **kwargs: Any) -> Any:
    """GET or POST JSON with the shared session's timeout; RegistrationError on any failure."""
    method = "POST" if "json" in kwargs else "GET"
    try:
        resp = http_session().request(method, url, **kwargs)
    except requests.RequestException as exc:
        raise RegistrationError(f"{what}_unreachable", f"The platform's {what} address could not "
                                "be reached.", detail=f"{url}: {exc.__class__.__name__}") from exc
    if resp.status_code >= 400:
        raise RegistrationError(f"{what}_refused", f"The platform refused the {what} request "
                                f"(HTTP {resp.status_code}).",
                                detail=resp.text[:MAX_ANSWER_TEXT])
    try:
        return resp.json()
    except ValueError as exc:
        raise RegistrationError(f"{what}_not_json", f"The platform's {what} answer is not "
                                "JSON.", detail=resp.text[:MAX_ANSWER_TEXT]) from exc


def register(token: str | None, config_url: str, registration_token: str | None,
             tool: ToolUrls, name: str, description: str, https_only: bool) -> Registered:
    """Run DR 1.0 sections 3.3-3.6 for a link; store everything or nothing."""
    open_link(token)
    scheme = urlparse(config_url or "").scheme
    if scheme not in {"http", "https"} or (https_only and scheme != "https"):
        raise RegistrationError("config_url_invalid", "The openid_configuration address must be "
                                "an HTTPS URL.", detail=config_url[:MAX_ANSWER_TEXT])
    config = check_platform_config(_get_json(config_url, "configuration"), config_url, https_only)
    headers = {"Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    body = client_registration(tool, config, name, description)
    answer = read_answer(_get_json(config.registration_url, "registration", json=body,
                                   headers=headers))
    return _store(token or "", config, answer.client_id, answer.deployment_id)


def _store(token: str, config: PlatformConfig, client_id: str,
           deployment_id: str | None) -> Registered:
    """One transaction: spend the link (only if still unused) and upsert the registration."""
    now = utcnow()
    # Session.execute() is typed Result; an UPDATE gives a CursorResult, which has rowcount.
    spent = db.session.execute(  # type: ignore[attr-defined]
        update(RegistrationLink).where(RegistrationLink.token_hash == _digest(token),
                                       RegistrationLink.used_at.is_(None),
                                       RegistrationLink.expires_at > now)
        .values(used_at=now)).rowcount
    if spent != 1:  # another request used it while the platform was answering
        db.session.rollback()
        raise RegistrationError("link_used", "This registration link was already used.", 410)
    reg = db.session.scalars(select(Registration).where(
        Registration.issuer == config.issuer, Registration.client_id == client_id)).first()
    if reg is None:
        reg = Registration(issuer=config.issuer, client_id=client_id)
        db.session.add(reg)
    reg.name = f"{config.product or 'platform'} at {config.issuer}"[:255]
    reg.auth_login_url, reg.auth_token_url = config.auth_url, config.token_url
    reg.key_set_url, reg.key_set, reg.auth_audience = config.jwks_url, None, config.audience
    known = {d.deployment_id for d in reg.deployments}
    if deployment_id and deployment_id not in known:
        reg.deployments.append(Deployment(deployment_id=deployment_id))
    reg.learn_deployment = not deployment_id and not known
    db.session.flush()
    db.session.execute(update(RegistrationLink).where(
        RegistrationLink.token_hash == _digest(token)).values(registration_id=reg.id))
    db.session.commit()
    invalidate_origins()
    log.info("lti dynamic registration stored", extra={
        "issuer": config.issuer, "client_id": client_id, "deployment": deployment_id or "",
        "learn_deployment": reg.learn_deployment})
    return Registered(config.issuer, client_id, deployment_id, config.product, reg.name)


def adopt_first_deployment(reg: Registration, deployment_id: str) -> bool:
    """Accept the first launch's deployment for a registration whose platform named none.

    Only a registration made by dynamic registration without a deployment id has the flag;
    the conditional update lets exactly one launch adopt, and the launch's commit keeps it.
    """
    if not reg.learn_deployment or not deployment_id:
        return False
    # Session.execute() is typed Result; an UPDATE gives a CursorResult, which has rowcount.
    claimed = db.session.execute(update(Registration).where(  # type: ignore[attr-defined]
        Registration.id == reg.id, Registration.learn_deployment.is_(True))
        .values(learn_deployment=False)).rowcount
    if claimed != 1:
        return False
    db.session.add(Deployment(registration_id=reg.id, deployment_id=deployment_id))
    db.session.flush()
    log.info("lti deployment learned from the first launch",
             extra={"issuer": reg.issuer, "client_id": reg.client_id, "deployment": deployment_id})
    return True
