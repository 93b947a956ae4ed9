"""The sweeper brings back jobs whose worker died mid-run."""

from __future__ import annotations

import uuid
from datetime import timedelta

from tenantry.db import Database
from tenantry.jobs import outbox, runner, sweeper
from tenantry.jobs.queue import JobQueue
from tenantry.models import OutboxItem, OutboxStatus
from tenantry.settings import Settings
from tests.jobs.conftest import ManualClock, add_job, load, run_queued, sweep
from tests.jobs.handlers import CALLS


async def abandon(database: Database, queue: JobQueue, item_id: uuid.UUID) -> None:
    """What a worker that dies mid-run leaves: the message taken, the row claimed, no outcome."""
    assert queue.huey.dequeue() is not None
    claimed = await runner.claim(database, item_id, now=queue.clock(), lease=queue.lease)
    assert claimed is not None


async def deliver_and_run(queue: JobQueue, item_id: uuid.UUID) -> None:
    queue.dispatch([outbox.Dispatch(item_id, queue.clock())])
    assert await run_queued(queue) == 1


async def test_a_job_whose_worker_died_runs_again_once_its_lease_expires(
    settings: Settings, database: Database, job_queue: JobQueue, clock: ManualClock
) -> None:
    item, ref = await add_job(database)
    await abandon(database, job_queue, item.id)

    assert await sweep(job_queue) == 0  # the lease still runs: the worker may be alive
    assert await run_queued(job_queue) == 0
    clock.advance(settings.outbox_lease_seconds - 1)
    assert await sweep(job_queue) == 0
    clock.advance(2)  # no heartbeat renewed it: the lease (60 s by default) ran out
    assert await sweep(job_queue) == 1
    assert await sweep(job_queue) == 0  # just handed over; no second copy
    assert await run_queued(job_queue) == 1

    assert CALLS[ref] == 1
    done = await load(database, item.id)
    assert (done.status, done.attempts) == (OutboxStatus.DONE, 2)


async def test_a_second_delivery_does_not_run_a_job_whose_lease_is_still_held(
    database: Database, job_queue: JobQueue
) -> None:
    item, ref = await add_job(database)
    await abandon(database, job_queue, item.id)

    await deliver_and_run(job_queue, item.id)

    assert CALLS[ref] == 0
    assert (await load(database, item.id)).status == OutboxStatus.RUNNING


async def test_a_job_whose_last_attempt_died_ends_failed(
    settings: Settings, database: Database, job_queue: JobQueue, clock: ManualClock
) -> None:
    item, ref = await add_job(database)
    async with database.transaction() as session:
        row = await session.get(OutboxItem, item.id)
        assert row is not None
        row.max_attempts = 1
    await abandon(database, job_queue, item.id)

    clock.advance(settings.outbox_lease_seconds + 1)
    assert await sweep(job_queue) == 0

    failed = await load(database, item.id)
    assert failed.status == OutboxStatus.FAILED
    assert failed.last_error == sweeper.ABANDONED_LAST_ATTEMPT
    assert failed.finished_at is not None
    assert CALLS[ref] == 0


async def test_the_sweeper_leaves_alone_jobs_handed_over_recently_and_finished_ones(
    database: Database, job_queue: JobQueue
) -> None:
    waiting, _ = await add_job(database)
    finished, _ = await add_job(database)
    job_queue.huey.flush()
    await deliver_and_run(job_queue, finished.id)

    ids = await sweeper.sweep(database, now=job_queue.clock(), grace=timedelta(seconds=30))
    assert ids == []
    later = job_queue.clock() + timedelta(seconds=31)
    assert await sweeper.sweep(database, now=later, grace=timedelta(seconds=30)) == [waiting.id]
