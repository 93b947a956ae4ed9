"""The sync's jobs: running a run (``sync.run``), the scheduled full sync, the audit-record
poll, and the first sync of a platform that has none.

A run commits page by page in transactions of its own, so the handler lets go of its own
transaction first (on SQLite it would hold the write lock for the whole run). The job's lease
is kept alive by the worker's heartbeat while the run lasts; a killed worker's run is handed to
another worker and goes on from its checkpoint.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.db import Database
from tenantry.jobs.queue import cron as queue_cron
from tenantry.jobs.queue import every
from tenantry.models import SyncCursor, SyncRun, SyncRunStatus, SyncScope, SyncTrigger, utcnow
from tenantry.partnercenter import access
from tenantry.partnercenter.errors import PartnerCenterError
from tenantry.partnercenter_events.service import find_receiving_platform
from tenantry.settings import get_settings
from tenantry.sync import audit_records
from tenantry.sync.engine import DEFAULT_CONCURRENCY, run_sync
from tenantry.sync.runs import RUN_JOB, cursor_for_update, request_sync

log = structlog.get_logger("tenantry.sync")
FIRST_RETRY = timedelta(minutes=15)


async def synced_platform(session: AsyncSession) -> uuid.UUID | None:
    """The platform this process's Partner Center account belongs to (the one that also
    receives its webhook events), or None when none can be told apart."""
    tenant_id = access.current().settings.partner_center_tenant_id
    return await find_receiving_platform(session, tenant_id)


def cron(expression: str) -> Any:
    """A huey crontab from a cron string: minute hour day-of-month month day-of-week."""
    return queue_cron(expression, "TENANTRY_SYNC_SCHEDULE")


def _nightly_due(timestamp: datetime) -> bool:
    due: bool = cron(get_settings().sync_schedule)(timestamp)
    return due


def _poll_due(timestamp: datetime) -> bool:
    minutes = get_settings().sync_audit_poll_minutes
    return every(timedelta(minutes=minutes))(timestamp)


@jobs.handler(RUN_JOB)
async def run(session: AsyncSession, payload: dict[str, Any]) -> None:
    run_id = uuid.UUID(str(payload["run_id"]))
    database = Database.of_session(session)
    await session.commit()  # the run commits page by page on its own connections
    current = access.current()
    concurrency = getattr(current.settings, "sync_concurrency", DEFAULT_CONCURRENCY)
    await run_sync(database, current, run_id, concurrency=concurrency)
    if database.is_sqlite:  # the job's own writes (marking it done) take the write lock first
        await session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


@jobs.periodic("sync.nightly", _nightly_due)
async def nightly(session: AsyncSession) -> None:
    platform_id = await synced_platform(session)
    if platform_id is not None:
        await request_sync(
            session, platform_id=platform_id, scope=SyncScope.PLATFORM,
            trigger=SyncTrigger.SCHEDULE,
        )  # fmt: skip


@jobs.periodic("sync.first", every(timedelta(minutes=1)))
async def first_sync(session: AsyncSession) -> None:
    """A platform with no sync yet (a fresh install, ``make run`` with the embedded sandbox)
    gets one at once, so Partner Center's customers appear without waiting for the night."""
    await queue_first_sync(session)


async def queue_first_sync(session: AsyncSession) -> SyncRun | None:
    platform_id = await synced_platform(session)
    if platform_id is None:
        return None
    # Any run but a failed one (Partner Center unreachable at start) counts; a failed one is
    # tried again after FIRST_RETRY, not every minute.
    tried = await session.scalar(
        select(SyncRun.id)
        .where(
            SyncRun.platform_id == platform_id,
            (SyncRun.status != SyncRunStatus.FAILED)
            | (SyncRun.created_at > utcnow() - FIRST_RETRY),
        )
        .limit(1)
    )
    if tried is not None:
        return None
    queued, _ = await request_sync(
        session, platform_id=platform_id, scope=SyncScope.PLATFORM, trigger=SyncTrigger.START
    )
    return queued


@jobs.periodic("sync.audit_poll", _poll_due)
async def audit_poll(session: AsyncSession) -> None:
    await poll_audit_records(session)


async def poll_audit_records(session: AsyncSession) -> int:
    """Read the audit records since the cursor and queue a run for each customer they name
    (new, profile or relationship changed, subscriptions); returns how many were queued."""
    platform_id = await synced_platform(session)
    if platform_id is None:
        return 0
    cursor = await session.get(SyncCursor, platform_id)
    if cursor is None or cursor.audit_records_until is None:
        return 0  # the first full sync sets where the records start
    since = cursor.audit_records_until
    try:
        async with access.current().client() as client:
            delta = await audit_records.read(client, since)
    except PartnerCenterError as exc:
        log.warning("audit records could not be read", error=str(exc))
        return 0
    for tenant in sorted(delta.customers):
        await request_sync(
            session, platform_id=platform_id, scope=SyncScope.ORGANIZATION,
            tenant_id=uuid.UUID(tenant), trigger=SyncTrigger.AUDIT,
        )  # fmt: skip
    cursor = await cursor_for_update(session, platform_id)
    # The newest record read: later polls read after it (records without a date are read again,
    # which only queues runs that join or change nothing).
    cursor.audit_records_until = max(since, delta.until or since)
    return len(delta.customers)
