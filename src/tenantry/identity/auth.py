"""Turning a request's credentials (API token or session cookie) into an :class:`Actor`."""

from __future__ import annotations

import functools
import uuid
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import Select, Update, bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.db import Database
from tenantry.errors import Forbidden, Unauthorized
from tenantry.identity.on_behalf import service as on_behalf
from tenantry.identity.sign_in.requirements import ensure_method_admitted
from tenantry.models import (
    ApiToken,
    AuthSession,
    Membership,
    Organization,
    OrganizationStatus,
    User,
    utcnow,
)
from tenantry.security import Actor, hash_secret

SESSION_COOKIE = "tenantry_session"
API_TOKEN_PREFIX = "tny"  # noqa: S105 - a label, not a secret
SIGN_IN_REFUSED = frozenset({OrganizationStatus.BLOCKED, OrganizationStatus.REJECTED})
# last_used_at is written at most this often per token, so reads stay reads.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


def ensure_may_sign_in(organization: Organization) -> None:
    _ensure_status_may_sign_in(
        organization.status, organization.status_reason, organization.display_name
    )


def _ensure_status_may_sign_in(
    status: OrganizationStatus, status_reason: str | None, display_name: str
) -> None:
    if status in SIGN_IN_REFUSED:
        reason = f": {status_reason}" if status_reason else ""
        raise Forbidden(
            f"{display_name} is {status.value}{reason}", organization_status=status.value
        )


async def actor_from_api_token(session: AsyncSession, secret: str) -> tuple[Actor, bool]:
    """The token's actor, and whether its ``last_used_at`` is stale enough to be written again.

    One query of the columns it needs, in the request's own transaction: every API request
    runs it, so it loads no ORM objects. Nothing is cached, so revoking the token, blocking its
    organization or letting it expire takes effect on the very next request, in every process.
    """
    now = utcnow()
    row = (await session.execute(_token_query(), {"token_hash": hash_secret(secret)})).first()
    if row is None:
        raise Unauthorized("the API token is not valid")
    if row.revoked_at is not None:
        raise Unauthorized("the API token was revoked")
    if row.expires_at <= now:
        raise Unauthorized("the API token has expired")
    _ensure_status_may_sign_in(row.status, row.status_reason, row.display_name)
    stale = row.last_used_at is None or now - row.last_used_at > TOKEN_TOUCH_INTERVAL
    actor = Actor(
        platform_id=row.platform_id,
        organization_id=row.organization_id,
        organization_kind=row.kind,
        role=row.role,
        label=f"API token '{row.name}' ({row.prefix}…)",
        token_id=row.id,
    )
    return actor, stale


@functools.cache
def _token_query() -> Select[*tuple[Any, ...]]:
    """Built once (every API request asks it; building it cost about as much as running it)."""
    return (
        select(
            ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.role, ApiToken.revoked_at,
            ApiToken.expires_at, ApiToken.last_used_at, Organization.id.label("organization_id"),
            Organization.platform_id, Organization.kind, Organization.status,
            Organization.status_reason, Organization.display_name,
        )
        .join(Organization, Organization.id == ApiToken.organization_id)
        .where(ApiToken.token_hash == bindparam("token_hash"))
    )  # fmt: skip


# Tokens whose use is being written by this process: a burst of calls with one token writes once.
_touching: set[uuid.UUID] = set()


async def record_token_use(database: Database, token_id: uuid.UUID) -> None:
    """Note when a token was last used: run once the response is sent and the request's
    transaction has ended (:mod:`tenantry.after_response`), in a short transaction of its own.

    Not in the request's transaction, so a read stays a read (no write lock held for it on
    SQLite, no row lock serialising a token's reads on PostgreSQL) and a write that fails still
    counts as a use; and not while the request still holds its connection, since a burst of
    reads would then each hold one connection while waiting for a second, and empty the pool.
    Losing this informational write never fails anything."""
    if token_id in _touching:
        return
    _touching.add(token_id)
    try:
        async with database.transaction() as own:
            await own.execute(_touch(token_id))
    except SQLAlchemyError:
        structlog.get_logger(__name__).warning(
            "api_token.last_used_not_recorded", token_id=str(token_id)
        )
    finally:
        _touching.discard(token_id)


def _touch(token_id: uuid.UUID) -> Update:
    return update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow())


async def load_session(session: AsyncSession, secret: str) -> AuthSession | None:
    auth = (
        await session.execute(
            select(AuthSession).where(AuthSession.token_hash == hash_secret(secret))
        )
    ).scalar_one_or_none()
    if auth is None or auth.expires_at <= utcnow():
        return None
    return auth


async def memberships_of(
    session: AsyncSession, user_id: uuid.UUID
) -> list[tuple[Membership, Organization]]:
    rows = await session.execute(
        select(Membership, Organization)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.user_id == user_id)
        .order_by(Organization.display_name)
    )
    return [(r[0], r[1]) for r in rows]


async def actor_from_session(session: AsyncSession, auth: AuthSession) -> Actor:
    user = await session.get(User, auth.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("sign in again")
    if auth.organization_id is None:
        raise Forbidden(
            "choose the organization to work in first", reason="organization_not_selected"
        )
    row = (
        await session.execute(
            select(Membership, Organization)
            .join(Organization, Organization.id == Membership.organization_id)
            .where(
                Membership.user_id == user.id, Membership.organization_id == auth.organization_id
            )
        )
    ).first()
    if row is None:
        raise Forbidden("you are no longer a member of this organization")
    membership, organization = row
    ensure_may_sign_in(organization)
    # The organization's sign-in requirement; checked here too, so a change applies mid-session.
    ensure_method_admitted(organization, auth.method)
    own = Actor(
        platform_id=organization.platform_id,
        organization_id=organization.id,
        organization_kind=organization.kind,
        role=membership.role,
        label=f"{user.full_name} <{user.email}>",
        user_id=user.id,
    )
    # Staff acting for a customer (login on behalf) act as its admin, under their own name.
    return await on_behalf.acting_for(session, auth, own, user)
