"""The details phase: for each account a listing marked (new, changed, or named by the audit
records), read its billing profile and subscriptions, then create, link or propose its
organization, and record what changed. Batches commit with the last account done, so a resumed
run goes on after it.

Per-customer calls run a few at a time (``TENANTRY_SYNC_CONCURRENCY``) as one continuous stream:
the next batches' calls are queued behind the current one's before it is applied, so the calls
go on while a batch is written and no batch waits for its slowest customer with slots idle. Only
applied batches commit a checkpoint; the answers fetched ahead of a killed run are fetched again
when it resumes. A customer whose calls still fail becomes a ``SyncRunError`` and the others go
on.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from tenantry.models import PartnerCenterAccount
from tenantry.partnercenter.errors import PartnerCenterError
from tenantry.sync import accounts
from tenantry.sync.applying import Fetched, apply_batch
from tenantry.sync.context import RunContext
from tenantry.sync.listing import PAGE_ROUNDS, TRANSIENT, platform_of

BATCH = 100
# The tables a sync fills, and how many accounts it applies between two fresh statistics of
# them. Without these the planner goes on seeing the tables as they were before the sync (empty
# on a new platform, when autovacuum is off or behind) and reads all of a platform's rows for
# each batch: at 100,000 customers on PostgreSQL, a tenth of a second a batch and growing.
FILLED_TABLES = ("partner_center_accounts", "organizations", "microsoft_subscriptions")
ANALYZE_EVERY = 10_000
# Batches whose calls are queued behind the one being applied: enough to keep every slot busy
# while a batch is written, few enough that a kill loses little fetched work.
AHEAD = 2


async def _with_rounds(ctx: RunContext, make: Any) -> Any:
    for round_ in range(PAGE_ROUNDS):
        try:
            return await ctx.call(make())
        except TRANSIENT:
            if round_ == PAGE_ROUNDS - 1:
                raise
    raise AssertionError("unreachable")


async def _fetch(ctx: RunContext, gate: asyncio.Semaphore, account_id: uuid.UUID,
                 tenant: str) -> Fetched:  # fmt: skip
    found = Fetched(account_id)
    async with gate:
        try:
            profile = await _with_rounds(ctx, lambda: ctx.client.get_billing_profile(tenant))
            found.billing, found.etag = accounts.billing_of(profile), profile.etag
            found.subscriptions = await _with_rounds(
                ctx, lambda: ctx.client.list_subscriptions(tenant)
            )
        except (PartnerCenterError, ValueError) as exc:
            found.error = exc
    return found


def _selection(ctx: RunContext, run_started: datetime, after: str | None) -> Any:
    query = select(PartnerCenterAccount.id, PartnerCenterAccount.tenant_id).where(
        PartnerCenterAccount.platform_id == ctx.platform_id,
        PartnerCenterAccount.kind == accounts.CUSTOMER,
        PartnerCenterAccount.last_run_id == ctx.run_id,
    )
    if not ctx.checkpoint.get("force"):
        query = query.where(PartnerCenterAccount.last_changed_at >= run_started)
    if after:
        query = query.where(PartnerCenterAccount.id > uuid.UUID(after))
    return query.order_by(PartnerCenterAccount.id).limit(BATCH)


@dataclass
class _Batch:
    last: uuid.UUID
    calls: list[asyncio.Task[Fetched]]


class _Stream:
    """The batches read from the checkpoint on, each with its accounts' calls already queued
    on the gate (in order: the semaphore serves its waiters first come, first served)."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.gate = asyncio.Semaphore(ctx.concurrency)
        self.after: str | None = ctx.checkpoint.get("after")
        self.pending: deque[_Batch] = deque()
        self.exhausted = False

    async def _read(self) -> None:
        async with self.ctx.database.transaction(write=False) as session:
            rows = (await session.execute(_selection(self.ctx, self.ctx.started_at,
                                                     self.after))).all()  # fmt: skip
        if not rows:
            self.exhausted = True
            return
        self.after = str(rows[-1][0])
        calls = [asyncio.create_task(_fetch(self.ctx, self.gate, account_id, str(tenant)))
                 for account_id, tenant in rows]  # fmt: skip
        self.pending.append(_Batch(rows[-1][0], calls))

    async def next(self) -> tuple[uuid.UUID, list[Fetched]] | None:
        """The next batch's answers, once all are in; None after the last."""
        while not self.exhausted and len(self.pending) <= AHEAD:
            await self._read()
        if not self.pending:
            return None
        batch = self.pending[0]
        fetched = list(await asyncio.gather(*batch.calls))
        self.pending.popleft()
        return batch.last, fetched

    async def close(self) -> None:
        calls = [task for batch in self.pending for task in batch.calls]
        for task in calls:
            task.cancel()
        await asyncio.gather(*calls, return_exceptions=True)
        self.pending.clear()


async def details_phase(ctx: RunContext) -> None:
    # The listing has just written every account: the planner learns of them before the
    # batches are selected, and again as the batches fill the organizations and subscriptions.
    await ctx.database.analyze(*FILLED_TABLES)
    stream = _Stream(ctx)
    applied = 0
    try:
        while (batch := await stream.next()) is not None:
            last, fetched = batch
            async with ctx.step(after=str(last)) as (session, _run):
                platform = await platform_of(session, ctx.platform_id)
                await apply_batch(ctx, session, platform, fetched)
            applied += len(fetched)
            if applied >= ANALYZE_EVERY:
                await ctx.database.analyze(*FILLED_TABLES)
                applied = 0
    finally:
        await stream.close()
    if applied:  # and as the run leaves them, for the pages and the next run
        await ctx.database.analyze(*FILLED_TABLES)
    async with ctx.step(phase="gone", after=None):
        return
