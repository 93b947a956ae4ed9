"""Running one outbox row: claim it, run its handler, record the outcome.

The queue delivers at least once (a row can be handed over twice, and the sweeper re-hands rows
whose worker died), so the claim decides who runs: a single UPDATE moves the row to ``running``
with a lease only if it is pending and due, or running with an expired lease. Whoever gets no row
back skips. The attempt number the claim wrote is a fencing token: the handler's transaction marks
the row done only if it still holds that attempt, so the database effects of an attempt that
overran its lease and was taken over are rolled back instead of committed twice.
"""

from __future__ import annotations

import contextlib
import enum
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from prometheus_client import Counter
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.db import Database
from tenantry.jobs import registry
from tenantry.models import OutboxItem, OutboxStatus

log = structlog.get_logger("tenantry.jobs")

Clock = Callable[[], datetime]
# Keeps the lease of (row id, attempt) alive while the block runs (see tenantry.jobs.heartbeat).
Hold = Callable[[uuid.UUID, int], contextlib.AbstractContextManager[None]]

# Retry n waits BACKOFF_BASE * 2**(n-1), at most BACKOFF_MAX: 10 s, 20 s, 40 s, ... 1 h.
BACKOFF_BASE = timedelta(seconds=10)
BACKOFF_MAX = timedelta(hours=1)
ERROR_MAX_CHARS = 8000

JOBS = Counter("tenantry_jobs_total", "Outbox rows run, by kind and outcome", ["kind", "outcome"])


class Outcome(enum.StrEnum):
    DONE = "done"
    RETRY = "retry"
    FAILED = "failed"
    # Someone else holds the row, or it is finished.
    SKIPPED = "skipped"
    # Delivered before its time (an early copy, or this worker's clock is behind the one that
    # set the time): the message goes back to the queue for then.
    NOT_DUE = "not_due"
    # The lease ran out mid-run and another worker took the row over.
    LEASE_LOST = "lease_lost"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    retry_at: datetime | None = None


@dataclass(frozen=True)
class Claim:
    item_id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    attempt: int
    max_attempts: int


class LeaseLost(Exception):
    pass


class NoHandler(Exception):
    pass


class PermanentFailure(Exception):
    """Raised by a handler when another attempt cannot succeed (a mail server refusing the
    recipient for good, say): the row ends ``failed`` at once with this error kept, instead of
    being retried until its attempts run out."""


def backoff(attempt: int) -> timedelta:
    delay: timedelta = BACKOFF_BASE * 2 ** min(attempt - 1, 16)
    return min(delay, BACKOFF_MAX)


async def claim(
    database: Database, item_id: uuid.UUID, *, now: datetime, lease: timedelta
) -> Claim | None:
    """Take the row for one attempt, or None when it is not ours to run."""
    async with database.transaction() as session:
        row = (
            await session.execute(
                update(OutboxItem)
                .where(
                    OutboxItem.id == item_id,
                    OutboxItem.attempts < OutboxItem.max_attempts,
                    or_(
                        and_(
                            OutboxItem.status == OutboxStatus.PENDING,
                            OutboxItem.available_at <= now,
                        ),
                        and_(
                            OutboxItem.status == OutboxStatus.RUNNING,
                            OutboxItem.lease_until < now,
                        ),
                    ),
                )
                .values(
                    status=OutboxStatus.RUNNING,
                    lease_until=now + lease,
                    attempts=OutboxItem.attempts + 1,
                )
                .returning(
                    OutboxItem.kind,
                    OutboxItem.payload,
                    OutboxItem.attempts,
                    OutboxItem.max_attempts,
                )
                .execution_options(synchronize_session=False)
            )
        ).one_or_none()
    if row is None:
        return None
    kind, payload, attempt, max_attempts = row
    return Claim(item_id, kind, dict(payload or {}), attempt, max_attempts)


async def run_item(
    database: Database,
    item_id: uuid.UUID,
    *,
    clock: Clock,
    lease: timedelta,
    hold: Hold | None = None,
) -> Result:
    """Claim the row and run its handler once, its lease kept alive by ``hold`` while it runs;
    the caller schedules the retry, if any."""
    now = clock()
    claimed = await claim(database, item_id, now=now, lease=lease)
    if claimed is None:
        due_at = await _due_later(database, item_id, now=now)
        if due_at is not None:
            return Result(Outcome.NOT_DUE, due_at)
        log.debug("outbox row skipped", item_id=str(item_id))
        return Result(Outcome.SKIPPED)
    bound = log.bind(item_id=str(item_id), kind=claimed.kind, attempt=claimed.attempt)
    with hold(item_id, claimed.attempt) if hold else contextlib.nullcontext():
        result = await _run_claimed(database, claimed, clock=clock, bound=bound)
    JOBS.labels(claimed.kind, result.outcome.value).inc()
    return result


async def _run_claimed(database: Database, claimed: Claim, *, clock: Clock, bound: Any) -> Result:
    try:
        handler = registry.handler_for(claimed.kind)
        if handler is None:
            raise NoHandler(f"no handler is registered for job kind {claimed.kind!r}")
        async with database.transaction() as session:
            await handler(session, dict(claimed.payload))
            await _mark_done(session, claimed, now=clock())
    except LeaseLost:
        bound.warning("outbox row taken over after its lease expired; this attempt rolled back")
        result = Result(Outcome.LEASE_LOST)
    except Exception as exc:
        result = await _record_failure(database, claimed, exc, now=clock())
        bound.warning(
            "outbox job failed",
            outcome=result.outcome.value,
            retry_at=result.retry_at.isoformat() if result.retry_at else None,
            exc_info=exc,
        )
    else:
        bound.info("outbox job done")
        result = Result(Outcome.DONE)
    return result


async def _due_later(database: Database, item_id: uuid.UUID, *, now: datetime) -> datetime | None:
    async with database.transaction(write=False) as session:
        found = await session.execute(
            select(OutboxItem.available_at).where(
                OutboxItem.id == item_id,
                OutboxItem.status == OutboxStatus.PENDING,
                OutboxItem.available_at > now,
            )
        )
        return found.scalar_one_or_none()


def _fenced(claimed: Claim) -> Any:
    return and_(
        OutboxItem.id == claimed.item_id,
        OutboxItem.status == OutboxStatus.RUNNING,
        OutboxItem.attempts == claimed.attempt,
    )


async def _mark_done(session: AsyncSession, claimed: Claim, *, now: datetime) -> None:
    done = await session.execute(
        update(OutboxItem)
        .where(_fenced(claimed))
        .values(status=OutboxStatus.DONE, finished_at=now, lease_until=None)
        .returning(OutboxItem.id)
        .execution_options(synchronize_session=False)
    )
    if done.scalar_one_or_none() is None:
        raise LeaseLost


async def _record_failure(
    database: Database, claimed: Claim, exc: BaseException, *, now: datetime
) -> Result:
    error = "".join(traceback.format_exception(exc))[-ERROR_MAX_CHARS:]
    final = claimed.attempt >= claimed.max_attempts or isinstance(exc, PermanentFailure)
    retry_at = None if final else now + backoff(claimed.attempt)
    values: dict[str, Any] = {"last_error": error, "lease_until": None}
    if retry_at is None:
        values |= {"status": OutboxStatus.FAILED, "finished_at": now}
    else:
        values |= {"status": OutboxStatus.PENDING, "available_at": retry_at, "dispatched_at": now}
    async with database.transaction() as session:
        recorded = await session.execute(
            update(OutboxItem)
            .where(_fenced(claimed))
            .values(**values)
            .returning(OutboxItem.id)
            .execution_options(synchronize_session=False)
        )
        if recorded.scalar_one_or_none() is None:
            return Result(Outcome.LEASE_LOST)
    if retry_at is None:
        return Result(Outcome.FAILED)
    return Result(Outcome.RETRY, retry_at)
