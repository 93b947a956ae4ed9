"""Deleting old Partner Center events: handled and ignored ones past the retention
(TENANTRY_PARTNER_CENTER_EVENT_RETENTION_DAYS, by the time they were received), in batches, with
their finished jobs. Failed events are kept for staff to look into; events still waiting for
their job are never old enough to matter and are kept too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import EventOutcome, OutboxItem, PartnerCenterEvent, utcnow
from tenantry.partnercenter_events import service

BATCH_SIZE = 500
DELETABLE = (EventOutcome.HANDLED, EventOutcome.IGNORED)


async def delete_old_events(
    session: AsyncSession,
    *,
    retention_days: int,
    clock: Callable[[], datetime] = utcnow,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Delete handled and ignored events received more than ``retention_days`` ago, at most
    ``batch_size`` rows per statement; how many were deleted."""
    cutoff = clock() - timedelta(days=retention_days)
    deleted = 0
    while True:
        ids = list(
            await session.scalars(
                select(PartnerCenterEvent.id)
                .where(
                    PartnerCenterEvent.received_at < cutoff,
                    PartnerCenterEvent.outcome.in_(DELETABLE),
                )
                .order_by(PartnerCenterEvent.received_at)
                .limit(batch_size)
            )
        )
        if not ids:
            return deleted
        await session.execute(
            delete(OutboxItem).where(
                OutboxItem.idempotency_key.in_([service.job_key(i) for i in ids])
            )
        )
        await session.execute(delete(PartnerCenterEvent).where(PartnerCenterEvent.id.in_(ids)))
        await session.flush()
        deleted += len(ids)
        if len(ids) < batch_size:
            return deleted
