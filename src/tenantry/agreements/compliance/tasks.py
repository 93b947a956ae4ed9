"""The agreements' scheduled jobs: the status refresh (every minute, a bounded batch) and the
daily digest of customers at risk (``TENANTRY_AGREEMENTS_DIGEST_SCHEDULE``, 07:00 UTC)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.agreements.compliance import digest, refresh
from tenantry.db import Database
from tenantry.jobs.queue import cron, every
from tenantry.partnercenter import access
from tenantry.settings import get_settings


def _digest_due(timestamp: datetime) -> bool:
    schedule = get_settings().agreements_digest_schedule
    return cron(schedule, "TENANTRY_AGREEMENTS_DIGEST_SCHEDULE")(timestamp)


@jobs.periodic("agreements.refresh", every(timedelta(minutes=1)))
async def refresh_statuses(session: AsyncSession) -> None:
    database = Database.of_session(session)
    await session.commit()  # each customer is refreshed in a transaction of its own
    settings = get_settings()
    async with access.current().client() as client:
        await refresh.refresh_due(
            database, client, limit=settings.agreements_refresh_batch,
            recheck=timedelta(hours=settings.agreements_recheck_hours),
        )  # fmt: skip


@jobs.periodic("agreements.digest", _digest_due)
async def daily_digest(session: AsyncSession) -> None:
    await digest.send_digests(session)
