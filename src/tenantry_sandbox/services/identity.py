"""Refresh tokens for partner users: issued, registered, looked up."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox.clock import Clock
from tenantry_sandbox.settings import SandboxSettings
from tenantry_sandbox.store.identity import RefreshToken, token_hash
from tenantry_sandbox.tokens import SignedInUser


def partner_user(tenant_id: uuid.UUID, user_principal_name: str) -> SignedInUser:
    """A partner user; the object id is derived from the name so it is the same every time."""
    return SignedInUser(uuid.uuid5(tenant_id, user_principal_name.lower()), user_principal_name)


async def register_refresh_token(
    session: AsyncSession,
    token: str,
    *,
    settings: SandboxSettings,
    clock: Clock,
    tenant_id: uuid.UUID,
    user: SignedInUser,
) -> None:
    existing = await session.get(RefreshToken, token_hash(token))
    if existing is not None:
        await session.delete(existing)
        await session.flush()
    session.add(
        RefreshToken(
            token_hash=token_hash(token),
            client_id=settings.client_id,
            tenant_id=tenant_id,
            user_id=user.object_id,
            user_principal_name=user.user_principal_name,
            created_at=clock.now(),
            expires_at=clock.now() + timedelta(days=settings.refresh_token_lifetime_days),
        )
    )
    await session.flush()


async def issue_refresh_token(
    session: AsyncSession,
    *,
    settings: SandboxSettings,
    clock: Clock,
    tenant_id: uuid.UUID,
    user: SignedInUser,
) -> str:
    token = "0.A" + secrets.token_urlsafe(96)
    await register_refresh_token(
        session, token, settings=settings, clock=clock, tenant_id=tenant_id, user=user
    )
    return token
