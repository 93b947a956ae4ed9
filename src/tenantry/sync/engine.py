"""Running one sync run by id, phase by phase, from wherever its checkpoint stands.

Phases of a platform run: ``audit`` (what changed since the last full sync), ``resellers``
(indirect providers only), ``customers`` (every page), ``attribution`` (each reseller's
customers), ``details`` (billing profiles, subscriptions, organizations), ``gone`` (accounts no
longer listed), ``finish``. A reseller run lists that reseller's customers; an organization run
reads one customer. Each phase commits its progress with its writes (see ``context.step``), and
running the same run again, after a kill or twice, goes on from there and counts nothing twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import structlog
from sqlalchemy import select

from tenantry.db import Database
from tenantry.models import (
    Organization,
    PlatformModel,
    SyncCursor,
    SyncRun,
    SyncRunError,
    SyncRunStatus,
    SyncScope,
    utcnow,
)
from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.partnercenter.errors import NotFound, PartnerCenterError, RelationshipMissing
from tenantry.sync import accounts, details, listing
from tenantry.sync.context import RunContext, RunTakenOver, error_row
from tenantry.sync.runs import cursor_for_update

log = structlog.get_logger("tenantry.sync")
TERMINAL = (SyncRunStatus.SUCCEEDED, SyncRunStatus.PARTIAL, SyncRunStatus.FAILED)
DEFAULT_CONCURRENCY = 8


async def _claim(database: Database, run_id: uuid.UUID) -> tuple[SyncRun, str] | None:
    """Mark the run running as this worker's (taking it over from a dead one)."""
    worker = uuid.uuid4().hex
    async with database.transaction() as session:
        run = await session.scalar(select(SyncRun).where(SyncRun.id == run_id).with_for_update())
        if run is None or run.status in TERMINAL:
            return None
        run.status = SyncRunStatus.RUNNING
        run.started_at = run.started_at or utcnow()
        first = "audit" if run.scope is SyncScope.PLATFORM else "list"
        run.checkpoint = {"phase": first, **(run.checkpoint or {}), "worker": worker}
        await session.flush()
        session.expunge(run)
    return run, worker


async def run_sync(
    database: Database,
    access: PartnerCenterAccess,
    run_id: uuid.UUID,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> SyncRunStatus | None:
    """Run (or go on with) the run; returns its final status, None when there was nothing to
    run (finished already, or unknown)."""
    claimed = await _claim(database, run_id)
    if claimed is None:
        return None
    run, worker = claimed
    async with access.client() as client:
        ctx = RunContext(
            database=database, client=client, run_id=run.id, platform_id=run.platform_id,
            worker=worker, started_at=run.started_at or utcnow(), concurrency=concurrency,
            scope=run.scope.value, checkpoint=dict(run.checkpoint),
        )  # fmt: skip
        try:
            await _phases(ctx, run)
        except RunTakenOver:
            log.warning("sync run taken over by another worker", run_id=str(run_id))
            return None
        except (PartnerCenterError, LookupError, ValueError) as exc:
            return await _fail(ctx, exc)
    return await _finish(ctx)


async def _phases(ctx: RunContext, run: SyncRun) -> None:
    async with database_read(ctx) as session:
        platform = await listing.platform_of(session, ctx.platform_id)
    indirect = platform.platform_model is PlatformModel.INDIRECT_PROVIDER
    while (phase := ctx.checkpoint.get("phase")) != "finish":
        if phase == "audit":
            await listing.audit_phase(ctx)
        elif phase == "resellers":
            if indirect:
                await listing.resellers_phase(ctx, platform)
            else:
                async with ctx.step(phase="customers", token=None):
                    pass
        elif phase == "customers":
            await listing.customers_phase(ctx, indirect=indirect)
        elif phase == "attribution":
            await listing.attribution_phase(ctx)
        elif phase == "detach":
            await listing.detach_phase(ctx)
        elif phase == "list":
            await _list_scope(ctx, run, indirect=indirect)
        elif phase == "details":
            await details.details_phase(ctx)
        elif phase == "gone":
            await listing.gone_phase(ctx)
        else:
            raise ValueError(f"unknown sync phase {phase!r}")


def database_read(ctx: RunContext):  # type: ignore[no-untyped-def]
    return ctx.database.transaction(write=False)


async def _list_scope(ctx: RunContext, run: SyncRun, *, indirect: bool) -> None:
    """A reseller run lists the reseller's customers; an organization run reads its one."""
    async with database_read(ctx) as session:
        scoped = (
            await session.get(Organization, run.scope_organization_id)
            if run.scope_organization_id
            else None
        )
    if run.scope is SyncScope.RESELLER:
        if scoped is None or scoped.tenant_id is None:
            raise LookupError(
                "the reseller has no partner tenant ID: Partner Center cannot list its customers"
            )
        reseller_tenant = scoped.tenant_id

        async def apply(session, _run, items):  # type: ignore[no-untyped-def]
            rows = await accounts.upsert_customers(
                session, platform_id=ctx.platform_id, run_id=ctx.run_id, customers=items,
                now=utcnow(), reseller_tenant_id=reseller_tenant,
            )  # fmt: skip
            listing.count_listed(ctx, rows)

        await listing.paged(
            ctx,
            lambda token: ctx.client.list_customers_of_indirect_reseller_page(
                str(reseller_tenant), size=listing.PAGE_SIZE, continuation_token=token
            ),
            apply,
            then={"phase": "details"},
        )
        return
    tenant = run.scope_tenant_id or (scoped.tenant_id if scoped else None)
    if tenant is None:
        raise LookupError("the organization holds no Microsoft tenant: there is nothing to sync")
    try:
        customer = await ctx.call(ctx.client.get_customer(str(tenant)))
        resellers = (
            await ctx.call(ctx.client.list_customer_relationships(str(tenant))) if indirect else []
        )
    except (NotFound, RelationshipMissing) as exc:
        async with ctx.step(phase="finish") as (session, _):
            session.add(error_row(ctx.run_id, exc, tenant_id=tenant,
                                  company_name=scoped.display_name if scoped else None,
                                  organization_id=scoped.id if scoped else None))  # fmt: skip
            ctx.tally.add("failed")
        return
    reseller_tenant = next((_uuid(r.id) for r in resellers if _uuid(r.id)), None)
    async with ctx.step(phase="details", force=True) as (session, _):
        await accounts.upsert_customers(
            session, platform_id=ctx.platform_id, run_id=ctx.run_id, customers=[customer],
            now=utcnow(), reseller_tenant_id=reseller_tenant, force=True,
        )  # fmt: skip


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def _fail(ctx: RunContext, exc: BaseException) -> SyncRunStatus:
    log.warning("sync run failed", run_id=str(ctx.run_id), error=str(exc))
    async with ctx.step() as (session, run):
        session.add(error_row(ctx.run_id, exc))
        run.status = SyncRunStatus.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:4000]
        run.finished_at = utcnow()
    return SyncRunStatus.FAILED


async def _finish(ctx: RunContext) -> SyncRunStatus:
    async with ctx.step() as (session, run):
        errors = await session.scalar(
            select(SyncRunError.id).where(SyncRunError.run_id == ctx.run_id).limit(1)
        )
        run.status = SyncRunStatus.PARTIAL if errors or run.failed else SyncRunStatus.SUCCEEDED
        run.finished_at = utcnow()
        if run.scope is SyncScope.PLATFORM:
            cursor = await cursor_for_update(session, ctx.platform_id)
            cursor.last_full_sync_at = run.started_at
            if cursor.audit_records_until is None:
                cursor.audit_records_until = run.started_at
        status = run.status
    log.info("sync run finished", run_id=str(ctx.run_id), status=status.value)
    return status


async def last_finished(session, platform_id: uuid.UUID) -> datetime | None:  # type: ignore[no-untyped-def]
    cursor = await session.get(SyncCursor, platform_id)
    return cursor.last_full_sync_at if cursor else None
