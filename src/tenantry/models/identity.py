"""People, their memberships (a role in an organization), API tokens and sign-in sessions."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenantry.models.base import Base, IdMixin, TimestampMixin, enum_type


class Role(enum.StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    PLATFORM_STAFF = "platform_staff"
    RESELLER_ADMIN = "reseller_admin"
    RESELLER_STAFF = "reseller_staff"
    CUSTOMER_ADMIN = "customer_admin"
    CUSTOMER_USER = "customer_user"


class SignInMethod(enum.StrEnum):
    """How a session was opened."""

    PASSWORD = "password"  # noqa: S105 - a method, not a secret
    MICROSOFT_PERSONAL = "microsoft_personal"
    MICROSOFT_WORK = "microsoft_work"


class SignInRequirement(enum.StrEnum):
    """The sign-in method an organization requires of its people (set by its admin)."""

    ANY = "any"
    PASSWORD = "password"  # noqa: S105 - a method, not a secret
    MICROSOFT = "microsoft"  # a personal or a work Microsoft account
    MICROSOFT_WORK = "microsoft_work"

    def admits(self, method: SignInMethod) -> bool:
        if self is SignInRequirement.ANY:
            return True
        if self is SignInRequirement.MICROSOFT:
            return method in (SignInMethod.MICROSOFT_PERSONAL, SignInMethod.MICROSOFT_WORK)
        return method.value == self.value


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    # The organization the person last chose to work in: entered again at their next sign-in.
    last_organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL", use_alter=True), default=None
    )


class Membership(IdMixin, TimestampMixin, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organization_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_type(Role, 32))


class ApiToken(IdMixin, TimestampMixin, Base):
    """A secret for integrations, acting with one role in one organization. Only its hash is kept."""

    __tablename__ = "api_tokens"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_type(Role, 32))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class AuthSession(IdMixin, TimestampMixin, Base):
    """A server-side sign-in session; the cookie carries a random secret whose hash is kept here."""

    __tablename__ = "auth_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), default=None
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(300), default=None)
    method: Mapped[SignInMethod] = mapped_column(
        enum_type(SignInMethod, 24), default=SignInMethod.PASSWORD
    )
    # Login on behalf: staff of a seller acting as one of its customers until it ends or expires.
    on_behalf_organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), default=None
    )
    on_behalf_started_at: Mapped[datetime | None] = mapped_column(default=None)
    on_behalf_expires_at: Mapped[datetime | None] = mapped_column(default=None)


class ExternalIdentity(IdMixin, TimestampMixin, Base):
    """A Microsoft account (personal or work) a person signs in with, by its tenant and object id."""

    __tablename__ = "external_identities"
    __table_args__ = (UniqueConstraint("provider", "tenant_id", "subject"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(32))
    tenant_id: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(128))
    method: Mapped[SignInMethod] = mapped_column(enum_type(SignInMethod, 24))
    email: Mapped[str] = mapped_column(String(254))
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class LoginAttempt(IdMixin, Base):
    """Failed sign-ins, counted per account and per address to throttle guessing."""

    __tablename__ = "login_attempts"

    email: Mapped[str] = mapped_column(String(254), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    attempted_at: Mapped[datetime] = mapped_column(index=True)


class EmailTokenPurpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose, not a secret


class EmailToken(IdMixin, TimestampMixin, Base):
    """A one-time link sent by email; only the SHA-256 of its secret is kept."""

    __tablename__ = "email_tokens"

    purpose: Mapped[EmailTokenPurpose] = mapped_column(enum_type(EmailTokenPurpose, 32))
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class Invitation(IdMixin, TimestampMixin, Base):
    """An invitation to join an organization in a role, sent to an address by a single-use link.

    Nobody joins until the person behind the address accepts; only the SHA-256 of the link's
    secret is kept. Resending replaces the secret (the older link stops working).
    """

    __tablename__ = "invitations"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[Role] = mapped_column(enum_type(Role, 32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    expires_at: Mapped[datetime]
    sent_count: Mapped[int] = mapped_column(default=1)
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    accepted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
