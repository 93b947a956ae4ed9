"""Factories for people, memberships, API tokens and sign-in sessions (they write to the database)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.db import Database
from tenantry.identity.auth import SESSION_COOKIE
from tenantry.identity.service import add_membership, create_user, issue_api_token
from tenantry.models import (
    ApiToken,
    AuditEvent,
    AuthSession,
    Invitation,
    Organization,
    Role,
    User,
    utcnow,
)
from tenantry.security import hash_secret
from tests.factories import World


async def make_person(
    session: AsyncSession,
    organization: Organization,
    role: Role,
    *,
    email: str | None = None,
    full_name: str = "Pat Person",
) -> User:
    """A person with a membership and no password (quicker than hashing one)."""
    email = email or f"person-{uuid.uuid4().hex[:12]}@example.com"
    user = await create_user(session, email=email, full_name=full_name, password=None)
    await add_membership(session, None, user, organization, role)
    return user


async def make_invitation(
    session: AsyncSession, organization: Organization, role: Role, *, email: str | None = None
) -> Invitation:
    """An open invitation (its link's secret is not kept: tests reach it through the email)."""
    invitation = Invitation(
        organization_id=organization.id,
        email=email or f"invited-{uuid.uuid4().hex[:12]}@example.com",
        role=role,
        token_hash=hash_secret(secrets.token_urlsafe(32)),
        expires_at=utcnow() + timedelta(days=7),
    )
    session.add(invitation)
    await session.flush()
    return invitation


async def make_api_token(
    session: AsyncSession,
    organization: Organization,
    role: Role,
    *,
    name: str = "integration",
    valid_for: timedelta = timedelta(days=30),
) -> tuple[ApiToken, str]:
    return await issue_api_token(
        session, None, organization, role=role, name=name, valid_for=valid_for
    )


async def sign_in(session: AsyncSession, user: User, organization: Organization) -> dict[str, str]:
    """Headers of a browser signed in as ``user`` working in ``organization`` (cookie + CSRF)."""
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(16)
    session.add(
        AuthSession(
            token_hash=hash_secret(secret),
            user_id=user.id,
            organization_id=organization.id,
            csrf_token=csrf,
            expires_at=utcnow() + timedelta(hours=1),
        )
    )
    await session.flush()
    return {"Cookie": f"{SESSION_COOKIE}={secret}", "X-CSRF-Token": csrf}


def members_url(organization_id: object, user_id: object | None = None) -> str:
    base = f"/api/v1/organizations/{organization_id}/members"
    return f"{base}/{user_id}" if user_id else base


def invitations_url(organization_id: object, invitation_id: object | None = None) -> str:
    base = f"/api/v1/organizations/{organization_id}/invitations"
    return f"{base}/{invitation_id}" if invitation_id else base


async def audit_events(database: Database, action: str) -> list[AuditEvent]:
    async with database.transaction(write=False) as session:
        rows = await session.execute(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.occurred_at)
        )
        return list(rows.scalars())


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@dataclass
class People:
    """People and tokens in reseller A's world and on the platform, to aim requests at."""

    reseller_admin: User
    reseller_staff: User
    customer_admin: User
    customer_user: User
    platform_admin: User
    reseller_token: ApiToken
    customer_token: ApiToken
    platform_token: ApiToken
    reseller_token_secret: str
    platform_token_secret: str
    reseller_invitation: Invitation
    customer_invitation: Invitation
    platform_invitation: Invitation


async def make_people(database: Database, world: World) -> People:
    async with database.transaction() as session:
        reseller = world.reseller_a.organization
        customer = world.customer_a.organization
        platform = world.platform.organization
        reseller_token, reseller_secret = await make_api_token(
            session, reseller, Role.RESELLER_STAFF
        )
        customer_token, _ = await make_api_token(session, customer, Role.CUSTOMER_USER)
        platform_token, platform_secret = await make_api_token(
            session, platform, Role.PLATFORM_STAFF
        )
        return People(
            reseller_admin=await make_person(session, reseller, Role.RESELLER_ADMIN),
            reseller_staff=await make_person(session, reseller, Role.RESELLER_STAFF),
            customer_admin=await make_person(session, customer, Role.CUSTOMER_ADMIN),
            customer_user=await make_person(session, customer, Role.CUSTOMER_USER),
            platform_admin=await make_person(session, platform, Role.PLATFORM_ADMIN),
            reseller_token=reseller_token,
            customer_token=customer_token,
            platform_token=platform_token,
            reseller_token_secret=reseller_secret,
            platform_token_secret=platform_secret,
            reseller_invitation=await make_invitation(session, reseller, Role.RESELLER_STAFF),
            customer_invitation=await make_invitation(session, customer, Role.CUSTOMER_USER),
            platform_invitation=await make_invitation(session, platform, Role.PLATFORM_STAFF),
        )
