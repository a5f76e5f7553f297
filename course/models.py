"""Tenancy and identity models: platform registrations, deployments, course contexts, users."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.db import Model, utcnow


class Registration(Model):
    """One LTI 1.3 platform registration; a platform issuer may hold many client ids."""

    __tablename__ = "registration"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    auth_login_url: Mapped[str] = mapped_column(String(1024))
    auth_token_url: Mapped[str] = mapped_column(String(1024))
    auth_audience: Mapped[str | None] = mapped_column(String(1024))
    key_set_url: Mapped[str | None] = mapped_column(String(1024))
    # A static key set, used by the built-in demo platform so no HTTP call to itself is needed.
    key_set: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Made by dynamic registration without a deployment id (Canvas): the first launch's
    # deployment is adopted, once; no other registration ever accepts an unknown deployment.
    learn_deployment: Mapped[bool] = mapped_column(default=False, server_default=false())

    deployments: Mapped[list["Deployment"]] = relationship(
        back_populates="registration", cascade="all, delete-orphan")


class Deployment(Model):
    """A deployment id the platform uses for this tool under one registration."""

    __tablename__ = "deployment"
    __table_args__ = (UniqueConstraint("registration_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))

    registration: Mapped[Registration] = relationship(back_populates="deployments")


class Context(Model):
    """One course in one platform: the tenant boundary for every piece of course data."""

    __tablename__ = "context"
    __table_args__ = (UniqueConstraint("registration_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    label: Mapped[str] = mapped_column(String(255), default="")
    # Service endpoints from the latest launch (AGS line items, NRPS memberships, groups).
    lineitems_url: Mapped[str | None] = mapped_column(String(1024))
    memberships_url: Mapped[str | None] = mapped_column(String(1024))
    groups_url: Mapped[str | None] = mapped_column(String(1024))  # LTI Course Groups, when sent
    ags_scopes: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship()


class User(Model):
    """A person as one platform knows them: keyed by registration and the LTI `sub`."""

    __tablename__ = "lti_user"
    __table_args__ = (UniqueConstraint("registration_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(Model):
    """A user's role in one course context, refreshed at every launch."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    lti_roles: Mapped[list] = mapped_column(JSON, default=list)
    last_launch_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the platform's roster or an administrator removed the person; rows are kept so
    # their attempts stay in the gradebook. NULL (every existing row) means a current member.
    removed_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()
    context: Mapped[Context] = relationship()


class ToolKey(Model):
    """An RSA key pair of the tool; the newest signs, older ones stay published while rotating."""

    __tablename__ = "tool_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired: Mapped[bool] = mapped_column(default=False)


class RegistrationLink(Model):
    """A one-time, expiring dynamic registration link; only a hash of its token is kept."""

    __tablename__ = "registration_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"))
