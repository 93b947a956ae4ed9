"""A new tenant's first administrator credentials: sealed at rest, shown once, then erased.

Partner Center returns the user name and password once, in its answer to the creation. Tenantry
keeps them sealed (Fernet, ``TENANTRY_CREDENTIALS_KEY``) next to the SHA-256 of a random link
secret, and emails the customer's administrator the link, never the credentials. Opening the link
(a deliberate press of a button on its page, so that mail scanners fetching links do not use it
up) shows them once and erases them in the same transaction; an expired link's credentials are
erased by the periodic job. No log, email, audit record or API answer carries them.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.identity.email.tokens import Refusal, TokenRefused
from tenantry.models import CredentialsErased, NewTenantCredentials, Organization, utcnow
from tenantry.notifications import send_email
from tenantry.security import hash_secret, new_secret
from tenantry.settings import Settings

TEMPLATE = "new_tenant_credentials"
LINK_PATH = "/new-tenant/credentials"
_SECRET_PREFIX = "tnc"  # noqa: S105 - the prefix of a link secret, not a secret


@dataclass(frozen=True)
class AdminCredentials:
    """The sign-in a person copies once. ``repr`` never shows the password."""

    user_name: str
    password: str

    def __repr__(self) -> str:
        return f"AdminCredentials(user_name={self.user_name!r}, password=...)"


def _keys(settings: Settings) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.credentials_keys])


def seal(settings: Settings, credentials: AdminCredentials) -> str:
    plain = json.dumps({"user_name": credentials.user_name, "password": credentials.password})
    return _keys(settings).encrypt(plain.encode()).decode()


def unseal(settings: Settings, sealed: str) -> AdminCredentials:
    """Raises ``InvalidToken`` when no configured key opens it (the key was replaced)."""
    values = json.loads(_keys(settings).decrypt(sealed.encode()))
    return AdminCredentials(values["user_name"], values["password"])


def sign_in_name(user_name: str, initial_domain: str) -> str:
    """Partner Center's sample answers ``"admin"``; the sign-in is ``admin@<initial domain>``."""
    return user_name if "@" in user_name else f"{user_name}@{initial_domain}"


async def keep(
    session: AsyncSession,
    settings: Settings,
    organization: Organization,
    *,
    tenant_id: uuid.UUID,
    initial_domain: str,
    credentials: AdminCredentials,
    recipient: str,
    sign_in_url: str,
) -> NewTenantCredentials:
    """Seal the credentials and email ``recipient`` the one-time link (sent after commit)."""
    secret, digest = new_secret(_SECRET_PREFIX)
    now = utcnow()
    row = NewTenantCredentials(
        platform_id=organization.platform_id,
        organization_id=organization.id,
        tenant_id=tenant_id,
        initial_domain=initial_domain,
        recipient_email=recipient,
        token_hash=digest,
        sealed=seal(settings, credentials),
        created_at=now,
        expires_at=now + timedelta(hours=settings.credentials_link_hours),
    )
    session.add(row)
    await session.flush()
    await send_email(
        session,
        to=recipient,
        template=TEMPLATE,
        context={
            "organization": organization.display_name,
            "initial_domain": initial_domain,
            "link": f"{LINK_PATH}?token={secret}",
            "expires_at": row.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
            "hours": settings.credentials_link_hours,
            "sign_in_url": sign_in_url,
        },
        idempotency_key=f"{TEMPLATE}:{row.id}",
    )
    await record(
        session, None, action="tenant.credentials_link_sent", target_type="organization",
        target_id=organization.id, organization_id=organization.id,
        platform_id=organization.platform_id,
        changes={"after": {"to": recipient, "tenant_id": str(tenant_id),
                           "expires_at": row.expires_at.isoformat()}},
        actor_label="Tenantry",
    )  # fmt: skip
    return row


async def _by_secret(session: AsyncSession, secret: str) -> NewTenantCredentials:
    row = await session.scalar(
        select(NewTenantCredentials).where(NewTenantCredentials.token_hash == hash_secret(secret))
    )
    if row is None:
        raise TokenRefused(Refusal.UNKNOWN)
    if row.opened_at is not None:
        raise TokenRefused(Refusal.USED)
    if row.expires_at <= utcnow() or row.sealed is None:
        raise TokenRefused(Refusal.EXPIRED)
    return row


async def peek(session: AsyncSession, secret: str) -> NewTenantCredentials:
    """The link's row while it still works (for its page); raises :class:`TokenRefused`."""
    return await _by_secret(session, secret)


@dataclass(frozen=True)
class Revealed:
    organization_id: uuid.UUID
    initial_domain: str
    credentials: AdminCredentials


async def reveal(session: AsyncSession, settings: Settings, secret: str) -> Revealed:
    """Open the link: the credentials, erased from the database in this same transaction. Of
    two presses arriving together exactly one wins (a conditional UPDATE claims the row)."""
    row = await _by_secret(session, secret)
    sealed = row.sealed
    assert sealed is not None
    now = utcnow()
    claimed = await session.execute(
        update(NewTenantCredentials)
        .where(
            NewTenantCredentials.id == row.id,
            NewTenantCredentials.opened_at.is_(None),
            NewTenantCredentials.sealed.is_not(None),
            NewTenantCredentials.expires_at > now,
        )
        .values(
            opened_at=now,
            erased_at=now,
            erased_because=CredentialsErased.OPENED,
            sealed=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise TokenRefused(Refusal.USED)
    try:
        opened = unseal(settings, sealed)
    except InvalidToken as exc:
        raise TokenRefused(Refusal.EXPIRED) from exc
    await record(
        session, None, action="tenant.credentials_link_opened", target_type="organization",
        target_id=row.organization_id, organization_id=row.organization_id,
        platform_id=row.platform_id, changes={"after": {"tenant_id": str(row.tenant_id)}},
        actor_label="The link's recipient",
    )  # fmt: skip
    user_name = sign_in_name(opened.user_name, row.initial_domain)
    return Revealed(
        row.organization_id, row.initial_domain, AdminCredentials(user_name, opened.password)
    )


async def erase_expired(session: AsyncSession, now: datetime | None = None) -> int:
    """Erase the credentials of every link that expired unopened; returns how many."""
    now = now or utcnow()
    erased = await session.execute(
        update(NewTenantCredentials)
        .where(NewTenantCredentials.sealed.is_not(None), NewTenantCredentials.expires_at <= now)
        .values(
            sealed=None, erased_at=now, erased_because=CredentialsErased.EXPIRED, updated_at=now
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(erased, "rowcount", 0) or 0)
