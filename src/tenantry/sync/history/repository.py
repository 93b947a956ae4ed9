"""Reads of sync runs, their errors and the changes they made, through the caller's scope.

Platform staff see every run of the platform; a reseller's staff see the runs of their own
reseller and of their customers (never a whole-platform run); customers see none.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import NotFound
from tenantry.models import (
    Organization,
    OrganizationKind,
    PartnerCenterAccount,
    SyncChange,
    SyncRun,
    SyncRunError,
    SyncScope,
)
from tenantry.pagination import aware_datetime, decode_cursor, encode_cursor
from tenantry.security import Actor, organization_scope, partner_center_account_scope


def run_scope(actor: Actor) -> ColumnElement[bool]:
    same_platform = SyncRun.platform_id == actor.platform_id
    if actor.organization_kind is OrganizationKind.PLATFORM:
        return same_platform
    if actor.organization_kind is OrganizationKind.RESELLER:
        visible = select(Organization.id).where(organization_scope(actor))
        known_tenants = select(PartnerCenterAccount.tenant_id).where(
            partner_center_account_scope(actor)
        )
        return and_(
            same_platform,
            SyncRun.scope != SyncScope.PLATFORM,
            or_(
                SyncRun.scope_organization_id.in_(visible),
                and_(
                    SyncRun.scope_organization_id.is_(None),
                    SyncRun.scope_tenant_id.in_(known_tenants),
                ),
            ),
        )
    return false()


async def runs_page(
    session: AsyncSession, actor: Actor, *, cursor: str | None, limit: int
) -> tuple[Sequence[SyncRun], str | None]:
    """Runs newest first, ``limit`` at a time; the cursor continues after the last one."""
    query = select(SyncRun).where(run_scope(actor))
    if cursor:
        at, run_id = decode_cursor(cursor, aware_datetime)
        query = query.where(
            or_(SyncRun.created_at < at, and_(SyncRun.created_at == at, SyncRun.id < run_id))
        )
    query = query.order_by(SyncRun.created_at.desc(), SyncRun.id.desc()).limit(limit + 1)
    rows = (await session.execute(query)).scalars().all()
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(last.created_at, last.id)


async def get_run(session: AsyncSession, actor: Actor, run_id: uuid.UUID) -> SyncRun:
    found = (
        await session.execute(select(SyncRun).where(run_scope(actor), SyncRun.id == run_id))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"sync run {run_id} not found")
    return found


async def visible_run(
    session: AsyncSession, actor: Actor, run_id: uuid.UUID | None
) -> tuple[SyncRun | None, bool]:
    """The run an organization was last synced by, and whether the actor may open it (a
    reseller sees that a nightly platform run synced its customer, without opening the run)."""
    if run_id is None:
        return None, False
    run = await session.get(SyncRun, run_id)
    if run is None or run.platform_id != actor.platform_id:
        return None, False
    query = select(SyncRun.id).where(run_scope(actor), SyncRun.id == run_id)
    return run, (await session.execute(query)).scalar_one_or_none() is not None


async def errors_of(session: AsyncSession, run: SyncRun) -> Sequence[SyncRunError]:
    query = (
        select(SyncRunError)
        .where(SyncRunError.run_id == run.id)
        .order_by(SyncRunError.occurred_at, SyncRunError.id)
    )
    return (await session.execute(query)).scalars().all()


async def holders(
    session: AsyncSession, actor: Actor, errors: Sequence[SyncRunError]
) -> dict[uuid.UUID, Organization]:
    """For each error, the organization it concerns that the actor may see, by error id: the
    one the error names, else the one holding its tenant."""
    ids = {e.organization_id for e in errors if e.organization_id}
    tenants = {e.tenant_id for e in errors if e.tenant_id and not e.organization_id}
    if not ids and not tenants:
        return {}
    query = select(Organization).where(
        organization_scope(actor),
        or_(Organization.id.in_(ids), Organization.tenant_id.in_(tenants)),
    )
    found = (await session.execute(query)).scalars().all()
    by_id = {o.id: o for o in found}
    by_tenant = {o.tenant_id: o for o in found if o.tenant_id}
    result: dict[uuid.UUID, Organization] = {}
    for error in errors:
        holder = by_id.get(error.organization_id) if error.organization_id else None
        holder = holder or (by_tenant.get(error.tenant_id) if error.tenant_id else None)
        if holder is not None:
            result[error.id] = holder
    return result


async def changes_of(
    session: AsyncSession, organization_id: uuid.UUID, *, limit: int = 10
) -> Sequence[SyncChange]:
    """The organization's latest sync changes, newest first (the caller checked its scope)."""
    query = (
        select(SyncChange)
        .where(SyncChange.organization_id == organization_id)
        .order_by(SyncChange.occurred_at.desc(), SyncChange.id.desc())
        .limit(limit)
    )
    return (await session.execute(query)).scalars().all()
