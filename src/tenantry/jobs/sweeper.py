"""Finding outbox rows the queue lost track of.

Two kinds of rows need handing to the queue again:

* pending rows that are due but were not picked up within a grace period of being handed over (or
  of becoming due): the hand-off after commit failed, the process died right after its commit, or
  a message was lost with a queue that keeps nothing on disk;
* running rows whose lease expired: their worker died mid-run (or overran the lease).

Re-handing a row the queue still holds only costs a skipped claim, so the grace period (the lease
length) just keeps the queue from filling with copies while it is busy. A row whose last
permitted attempt died with its worker is marked failed here, since no claim may take it again.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from tenantry.db import Database
from tenantry.models import OutboxItem, OutboxStatus

BATCH = 500
ABANDONED_LAST_ATTEMPT = (
    "the last attempt did not finish: its worker stopped, or ran past its lease, before recording "
    "an outcome"
)


async def sweep(
    database: Database, *, now: datetime, grace: timedelta, batch: int = BATCH
) -> list[uuid.UUID]:
    """Mark the due rows as handed over now and return them, oldest first, for the queue."""
    cutoff = now - grace
    expired = and_(OutboxItem.status == OutboxStatus.RUNNING, OutboxItem.lease_until < now)
    async with database.transaction() as session:
        await session.execute(
            update(OutboxItem)
            .where(expired, OutboxItem.attempts >= OutboxItem.max_attempts)
            .values(
                status=OutboxStatus.FAILED,
                finished_at=now,
                lease_until=None,
                last_error=ABANDONED_LAST_ATTEMPT,
            )
            .execution_options(synchronize_session=False)
        )
        lost_pending = and_(
            OutboxItem.status == OutboxStatus.PENDING,
            OutboxItem.available_at <= now,
            or_(
                OutboxItem.dispatched_at.is_(None),
                and_(OutboxItem.dispatched_at < cutoff, OutboxItem.available_at < cutoff),
            ),
        )
        abandoned = and_(
            expired,
            or_(
                OutboxItem.dispatched_at.is_(None),
                # Not handed over since the lease ran out, or that hand-off was lost too.
                OutboxItem.dispatched_at < OutboxItem.lease_until,
                OutboxItem.dispatched_at < cutoff,
            ),
        )
        ids = list(
            (
                await session.execute(
                    select(OutboxItem.id)
                    .where(or_(lost_pending, abandoned))
                    .order_by(OutboxItem.available_at)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            ).scalars()
        )
        if ids:
            await session.execute(
                update(OutboxItem)
                .where(OutboxItem.id.in_(ids))
                .values(dispatched_at=now)
                .execution_options(synchronize_session=False)
            )
    return ids
