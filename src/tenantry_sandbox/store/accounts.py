"""People who sign in: sandbox accounts and the authorization codes issued to them.

Work accounts of customer tenants are the tenants' directory users (``customer_users``); this table
holds the accounts managed through ``/_sandbox/accounts``: personal Microsoft accounts (tenant
``9188040d-6c67-4c5b-b112-36a304b66dad``, as Microsoft uses for consumers) and work accounts
added to any tenant, with whether they hold the Global Administrator role.

An authorization code is stored by its SHA-256 only, with everything the token endpoint needs to
redeem it: the client, redirect URI, scopes, nonce, PKCE challenge and who signed in.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase, utcnow


class SignInAccount(SandboxBase):
    __tablename__ = "sign_in_accounts"

    object_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # Lower-cased; the name typed on the sign-in page.
    username: Mapped[str] = mapped_column(String(256), unique=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(index=True)
    personal: Mapped[bool] = mapped_column(default=False)
    display_name: Mapped[str] = mapped_column(String(256))
    given_name: Mapped[str | None] = mapped_column(String(64))
    family_name: Mapped[str | None] = mapped_column(String(64))
    global_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuthorizationCode(SandboxBase):
    __tablename__ = "authorization_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text)
    nonce: Mapped[str | None] = mapped_column(Text)
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(8))
    object_id: Mapped[uuid.UUID]
    tenant_id: Mapped[uuid.UUID]
    username: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(256))
    given_name: Mapped[str | None] = mapped_column(String(64))
    family_name: Mapped[str | None] = mapped_column(String(64))
    personal: Mapped[bool] = mapped_column(default=False)
    global_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    redeemed_at: Mapped[datetime | None] = mapped_column(default=None)


async def by_username(session: AsyncSession, username: str) -> SignInAccount | None:
    rows = await session.execute(
        select(SignInAccount).where(SignInAccount.username == username.strip().lower())
    )
    return rows.scalar_one_or_none()


async def listed(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID | None = None,
    personal: bool | None = None,
    limit: int = 100,
) -> list[SignInAccount]:
    query = select(SignInAccount).order_by(SignInAccount.username).limit(limit)
    if tenant_id is not None:
        query = query.where(SignInAccount.tenant_id == tenant_id)
    if personal is not None:
        query = query.where(SignInAccount.personal.is_(personal))
    return list((await session.execute(query)).scalars())
