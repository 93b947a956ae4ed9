"""Who may start and read which sync runs.

Platform staff sync and read everything of their platform; reseller staff their own reseller
and its customers (runs of a reseller or organization scope within what they see). An
organization outside the caller's scope is 404, as everywhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import Forbidden, NotFound, invalid
from tenantry.models import (
    Organization,
    OrganizationKind,
    SyncRun,
    SyncRunError,
    SyncScope,
    SyncTrigger,
)
from tenantry.pagination import keyset_page
from tenantry.security import Actor, Permission, organization_scope, require
from tenantry.sync.runs import request_sync
from tenantry.sync.schemas import SyncRunCreate

SCOPE_KIND = {SyncScope.RESELLER: OrganizationKind.RESELLER,
              SyncScope.ORGANIZATION: OrganizationKind.CUSTOMER}  # fmt: skip


async def _visible(session: AsyncSession, actor: Actor, organization_id: uuid.UUID) -> Organization:
    found = await session.scalar(
        select(Organization).where(organization_scope(actor), Organization.id == organization_id)
    )
    if found is None:
        raise NotFound(f"no organization {organization_id}")
    return found


async def start(session: AsyncSession, actor: Actor, data: SyncRunCreate) -> tuple[SyncRun, bool]:
    """Queue a run of the scope, or join the one of that scope already queued or running."""
    require(actor, Permission.SYNC_RUN)
    scope = SyncScope(data.scope)
    if scope is SyncScope.PLATFORM:
        if data.organization_id is not None:
            raise invalid("organization_id", "not_for_platform",
                          "a platform sync names no organization")  # fmt: skip
        if not actor.is_platform:
            raise Forbidden("only the platform's staff sync the whole platform")
        organization_id = None
    else:
        if data.organization_id is None:
            raise invalid("organization_id", "required",
                          f"a {scope.value} sync names the organization")  # fmt: skip
        organization = await _visible(session, actor, data.organization_id)
        if organization.kind is not SCOPE_KIND[scope]:
            raise invalid("organization_id", "kind",
                          f"a {scope.value} sync names a {SCOPE_KIND[scope].value}")  # fmt: skip
        organization_id = organization.id
    return await request_sync(
        session, platform_id=actor.platform_id, scope=scope, organization_id=organization_id,
        trigger=SyncTrigger.MANUAL, requested_by_id=actor.user_id,
    )  # fmt: skip


def _scoped(actor: Actor) -> Select[SyncRun]:
    query = select(SyncRun).where(SyncRun.platform_id == actor.platform_id)
    if actor.is_platform:
        return query
    visible = select(Organization.id).where(organization_scope(actor))
    return query.where(
        SyncRun.scope_organization_id.in_(visible), SyncRun.scope != SyncScope.PLATFORM
    )


async def page(
    session: AsyncSession, actor: Actor, *, cursor: str | None, limit: int
) -> tuple[Sequence[SyncRun], str | None]:
    require(actor, Permission.SYNC_READ)
    return await keyset_page(
        session, _scoped(actor), sort_column=SyncRun.created_at, id_column=SyncRun.id,
        cursor=cursor, limit=limit,
    )  # fmt: skip


async def get(
    session: AsyncSession, actor: Actor, run_id: uuid.UUID
) -> tuple[SyncRun, Sequence[SyncRunError]]:
    require(actor, Permission.SYNC_READ)
    run = await session.scalar(_scoped(actor).where(SyncRun.id == run_id))
    if run is None:
        raise NotFound(f"no sync run {run_id}")
    errors = (
        await session.scalars(
            select(SyncRunError)
            .where(SyncRunError.run_id == run.id)
            .order_by(SyncRunError.occurred_at, SyncRunError.id)
            .limit(500)
        )
    ).all()
    return run, errors
