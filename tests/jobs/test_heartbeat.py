"""A running job's lease is renewed while it runs, so a short lease never re-runs a live job."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tenantry.db import Database
from tenantry.jobs import outbox
from tenantry.jobs.queue import JobQueue
from tenantry.models import OutboxStatus
from tenantry.settings import Settings
from tests.jobs.conftest import ManualClock, add_job, eventually, load, run_queued, sweep
from tests.jobs.handlers import CALLS, release

LEASE_SECONDS = 5


@pytest.fixture
def beating_queue(settings: Settings, database: Database, clock: ManualClock) -> Iterator[JobQueue]:
    """A queue with a short lease renewed ten times a second."""
    quick = settings.model_copy(
        update={"outbox_lease_seconds": LEASE_SECONDS, "outbox_heartbeat_seconds": 0.1}
    )
    queue = JobQueue(quick, clock=clock)
    queue.bind(database)
    yield queue
    queue.close()


def test_the_heartbeat_is_a_third_of_the_lease_unless_set() -> None:
    assert Settings().outbox_lease_seconds == 60
    assert Settings().outbox_heartbeat_interval == 20
    assert Settings(outbox_lease_seconds=30).outbox_heartbeat_interval == 10
    assert Settings(outbox_heartbeat_seconds=2).outbox_heartbeat_interval == 2
    with pytest.raises(ValueError, match="TENANTRY_OUTBOX_HEARTBEAT_SECONDS must be shorter"):
        Settings(outbox_lease_seconds=10, outbox_heartbeat_seconds=10)


# On SQLite a job holds the write lock while it runs, so nobody (sweeper, claim or heartbeat)
# writes to its row until it ends; the lease matters where workers run side by side.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_long_job_is_not_run_again_while_its_heartbeat_renews_the_lease(
    database: Database, beating_queue: JobQueue, clock: ManualClock
) -> None:
    item, ref = await add_job(database, "test.blocks_until_released")
    running = asyncio.create_task(run_queued(beating_queue))
    try:

        async def renewed_past(moment: object) -> bool:
            row = await load(database, item.id)
            return row.status == OutboxStatus.RUNNING and row.lease_until > moment  # type: ignore[operator]

        await eventually(lambda: renewed_past(clock.now))
        clock.advance(10 * LEASE_SECONDS)  # long past the lease the claim gave
        await eventually(lambda: renewed_past(clock.now))

        assert await sweep(beating_queue) == 0
        beating_queue.dispatch([outbox.Dispatch(item.id, clock.now)])  # a stray second copy
        assert await run_queued(beating_queue) == 1
        assert CALLS[ref] == 1
    finally:
        release(ref)
        await running

    done = await load(database, item.id)
    assert (done.status, done.attempts, CALLS[ref]) == (OutboxStatus.DONE, 1, 1)
