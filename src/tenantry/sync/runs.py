"""Asking for a sync run: one queued or running run per scope, and later requests join it.

There is no lock-out window: "Sync now" while a run of the same scope is queued or running adds
the caller to that run (``joined``) instead of starting a second one or refusing. Requests of one
platform are serialised on its ``sync_cursors`` row, so two at once cannot both start a run.
A run of the whole platform that has not started yet also covers a narrower request.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.models import (
    OutboxItem,
    OutboxStatus,
    SyncCursor,
    SyncRun,
    SyncRunStatus,
    SyncScope,
    SyncTrigger,
    utcnow,
)

RUN_JOB = "sync.run"
ACTIVE = (SyncRunStatus.QUEUED, SyncRunStatus.RUNNING)


async def cursor_for_update(session: AsyncSession, platform_id: uuid.UUID) -> SyncCursor:
    """The platform's cursor row, locked for this transaction (created the first time)."""
    query = select(SyncCursor).where(SyncCursor.platform_id == platform_id).with_for_update()
    cursor = (await session.execute(query)).scalar_one_or_none()
    if cursor is None:
        try:
            async with session.begin_nested():
                session.add(SyncCursor(platform_id=platform_id))
        except IntegrityError:
            pass  # another request created it at the same moment: take theirs, locked
        cursor = (await session.execute(query)).scalar_one()
    return cursor


def _job_key(run_id: uuid.UUID) -> str:
    return f"{RUN_JOB}:{run_id}"


async def _end_abandoned_runs(session: AsyncSession, platform_id: uuid.UUID) -> None:
    """Runs whose job gave up (its attempts ran out on an unexpected error) end as failed, with
    the job's last error, so that nobody joins a run no worker will ever carry on."""
    active = list(
        await session.scalars(
            select(SyncRun).where(SyncRun.platform_id == platform_id, SyncRun.status.in_(ACTIVE))
        )
    )
    if not active:
        return
    found = await session.execute(
        select(OutboxItem.idempotency_key, OutboxItem.last_error).where(
            OutboxItem.idempotency_key.in_([_job_key(run.id) for run in active]),
            OutboxItem.status == OutboxStatus.FAILED,
        )
    )
    gave_up = {key: error for key, error in found.all()}
    for run in active:
        if _job_key(run.id) in gave_up:
            last_error = (gave_up[_job_key(run.id)] or "").strip()[-500:]
            run.status = SyncRunStatus.FAILED
            run.finished_at = utcnow()
            run.error = f"the sync stopped and was not retried: {last_error}"
    await session.flush()


async def _active_run(
    session: AsyncSession,
    platform_id: uuid.UUID,
    scope: SyncScope,
    organization_id: uuid.UUID | None,
    tenant_id: uuid.UUID | None,
) -> SyncRun | None:
    same_scope = (
        (SyncRun.scope == scope)
        & (SyncRun.scope_organization_id.is_(None) if organization_id is None
           else SyncRun.scope_organization_id == organization_id)
        & (SyncRun.scope_tenant_id.is_(None) if tenant_id is None
           else SyncRun.scope_tenant_id == tenant_id)
    )  # fmt: skip
    platform_not_started = (SyncRun.scope == SyncScope.PLATFORM) & (
        SyncRun.status == SyncRunStatus.QUEUED
    )
    query = (
        select(SyncRun)
        .where(
            SyncRun.platform_id == platform_id,
            SyncRun.status.in_(ACTIVE),
            same_scope | platform_not_started,
        )
        .order_by(SyncRun.created_at)
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def request_sync(
    session: AsyncSession,
    *,
    platform_id: uuid.UUID,
    scope: SyncScope,
    trigger: SyncTrigger,
    organization_id: uuid.UUID | None = None,
    tenant_id: uuid.UUID | None = None,
    requested_by_id: uuid.UUID | None = None,
) -> tuple[SyncRun, bool]:
    """Queue a run of ``scope`` in the caller's transaction, or join the active one.

    Returns the run and whether the request joined an existing run. ``organization_id`` names
    the reseller (scope reseller) or customer (scope organization); ``tenant_id`` a customer
    known only by its tenant (a webhook about one no organization holds yet). Scope checks
    (may the caller sync this organization?) are the caller's.
    """
    if scope is SyncScope.PLATFORM and (organization_id or tenant_id):
        raise ValueError("a platform run names no organization or tenant")
    if scope is SyncScope.RESELLER and organization_id is None:
        raise ValueError("a reseller run names the reseller organization")
    if scope is SyncScope.ORGANIZATION and organization_id is None and tenant_id is None:
        raise ValueError("an organization run names the organization or its tenant")
    await cursor_for_update(session, platform_id)
    await _end_abandoned_runs(session, platform_id)
    active = await _active_run(session, platform_id, scope, organization_id, tenant_id)
    if active is not None:
        active.joined += 1
        return active, True
    run = SyncRun(
        platform_id=platform_id,
        scope=scope,
        scope_organization_id=organization_id,
        scope_tenant_id=tenant_id,
        trigger=trigger,
        status=SyncRunStatus.QUEUED,
        requested_by_id=requested_by_id,
        checkpoint={},
    )
    session.add(run)
    await session.flush()
    await jobs.enqueue(
        session,
        kind=RUN_JOB,
        payload={"run_id": str(run.id)},
        idempotency_key=_job_key(run.id),
    )
    return run, False
