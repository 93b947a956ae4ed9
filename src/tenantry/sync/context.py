"""What a running sync carries from page to page, and the one way it writes: a transaction
that checks the run is still this worker's, applies the page, its counts and its checkpoint."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.db import Database
from tenantry.models import SyncRun, SyncRunError, SyncRunStatus, utcnow
from tenantry.partnercenter import PartnerCenterClient

COUNTERS = ("created", "updated", "unchanged", "matched", "merged", "failed", "calls_made",
            "calls_saved")  # fmt: skip


class RunTakenOver(Exception):
    """Another worker now runs this sync (this one's lease ran out): stop without writing."""


@dataclass
class Tally:
    """Counts of the work since the last commit, added to the run's in that commit."""

    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))

    def add(self, name: str, amount: int = 1) -> None:
        self.values[name] += amount

    def forget_work(self) -> None:
        calls = self.values["calls_made"]
        self.values = dict.fromkeys(COUNTERS, 0) | {"calls_made": calls}

    def drain(self) -> dict[str, int]:
        values, self.values = self.values, dict.fromkeys(COUNTERS, 0)
        return values


@dataclass
class RunContext:
    database: Database
    client: PartnerCenterClient
    run_id: uuid.UUID
    platform_id: uuid.UUID
    worker: str
    started_at: datetime
    concurrency: int
    scope: str
    checkpoint: dict[str, Any] = field(default_factory=dict)
    tally: Tally = field(default_factory=Tally)

    async def call(self, awaitable: Any) -> Any:
        """Await one Partner Center call, counting it."""
        self.tally.add("calls_made")
        return await awaitable

    @asynccontextmanager
    async def step(self, **checkpoint: Any) -> AsyncIterator[tuple[AsyncSession, SyncRun]]:
        """One transaction of the run: the page's writes, counts and ``checkpoint`` commit
        together or not at all."""
        async with self.database.transaction() as session:
            run = await locked_run(session, self.run_id, self.worker)
            try:
                yield session, run
            except BaseException:
                self.tally.forget_work()  # rolled back: only the calls were really made
                raise
            for name, amount in self.tally.drain().items():
                setattr(run, name, getattr(run, name) + amount)
            run.checkpoint = {**run.checkpoint, **checkpoint}
            self.checkpoint = dict(run.checkpoint)


async def locked_run(session: AsyncSession, run_id: uuid.UUID, worker: str) -> SyncRun:
    run = await session.scalar(select(SyncRun).where(SyncRun.id == run_id).with_for_update())
    if run is None or run.status is not SyncRunStatus.RUNNING:
        raise RunTakenOver(f"the sync run {run_id} is not running")
    if (run.checkpoint or {}).get("worker") != worker:
        raise RunTakenOver(f"another worker runs the sync run {run_id}")
    return run


def error_row(
    run_id: uuid.UUID,
    exc: BaseException,
    *,
    tenant_id: uuid.UUID | None = None,
    company_name: str | None = None,
    organization_id: uuid.UUID | None = None,
) -> SyncRunError:
    code = getattr(exc, "code", None) or type(exc).__name__
    status = getattr(exc, "status", None)
    return SyncRunError(
        run_id=run_id, tenant_id=tenant_id, company_name=(company_name or None) and company_name[:400],
        organization_id=organization_id, code=str(code)[:64],
        message=(f"{status}: " if status else "") + (str(exc) or type(exc).__name__),
        occurred_at=utcnow(),
    )  # fmt: skip
