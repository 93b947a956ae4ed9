"""A failing job is retried with growing pauses and ends failed, keeping its error."""

from __future__ import annotations

import uuid
from datetime import timedelta

from tenantry.db import Database
from tenantry.jobs import outbox
from tenantry.jobs.queue import JobQueue
from tenantry.models import OutboxStatus
from tests.jobs.conftest import ManualClock, load, run_queued
from tests.jobs.handlers import CALLS

# The margin a test allows for the time between reading the clock and the job reading it.
SLACK = timedelta(seconds=2)


async def test_a_failing_job_backs_off_then_fails_with_its_error_kept(
    database: Database, job_queue: JobQueue, clock: ManualClock
) -> None:
    ref = uuid.uuid4().hex
    async with database.transaction() as session:
        item = await outbox.enqueue(
            session,
            kind="test.always_fails",
            payload={"ref": ref},
            idempotency_key=ref,
            max_attempts=3,
        )

    for attempt, pause in ((1, 10), (2, 20)):
        before = clock.now
        await run_queued(job_queue)
        retrying = await load(database, item.id)
        assert (retrying.status, retrying.attempts, CALLS[ref]) == (
            OutboxStatus.PENDING,
            attempt,
            attempt,
        )
        assert "Partner Center answered 503" in (retrying.last_error or "")
        waited = retrying.available_at - before
        assert timedelta(seconds=pause) <= waited <= timedelta(seconds=pause) + SLACK
        # Nothing runs before the pause is over, not even a copy handed over early.
        job_queue.dispatch([outbox.Dispatch(item.id, clock.now)])
        await run_queued(job_queue)
        assert CALLS[ref] == attempt
        clock.advance(pause)

    await run_queued(job_queue)

    failed = await load(database, item.id)
    assert (failed.status, failed.attempts, CALLS[ref]) == (OutboxStatus.FAILED, 3, 3)
    assert failed.finished_at is not None
    assert "PartnerCenterDown: Partner Center answered 503" in (failed.last_error or "")
    assert "Traceback" in (failed.last_error or "")
    clock.advance(3600)
    assert await run_queued(job_queue) == 0


async def test_a_job_of_a_kind_nobody_handles_is_retried_and_says_why(
    database: Database, job_queue: JobQueue
) -> None:
    async with database.transaction() as session:
        item = await outbox.enqueue(
            session, kind="test.unknown", payload={}, idempotency_key=uuid.uuid4().hex
        )

    await run_queued(job_queue)

    retrying = await load(database, item.id)
    assert (retrying.status, retrying.attempts) == (OutboxStatus.PENDING, 1)
    assert "no handler is registered for job kind 'test.unknown'" in (retrying.last_error or "")
