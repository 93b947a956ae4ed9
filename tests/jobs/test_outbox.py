"""Work written with the outbox runs only if its transaction commits, and then once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable

import pytest
from sqlalchemy import func, select, text

from tenantry.db import Database
from tenantry.jobs import outbox
from tenantry.jobs.queue import JobQueue
from tenantry.models import OutboxItem, OutboxStatus
from tenantry.settings import Settings
from tests.jobs.conftest import ManualClock, add_job, eventually, load, run_queued, sweep
from tests.jobs.handlers import CALLS


async def count_rows(database: Database) -> int:
    async with database.transaction(write=False) as session:
        return (await session.execute(select(func.count()).select_from(OutboxItem))).scalar_one()


async def test_a_job_written_in_a_rolled_back_transaction_never_runs(
    database: Database, job_queue: JobQueue
) -> None:
    ref = uuid.uuid4().hex

    async def request_that_fails_after_enqueueing() -> None:
        async with database.transaction() as session:
            await outbox.enqueue(
                session, kind="test.record", payload={"ref": ref}, idempotency_key=ref
            )
            raise RuntimeError("validation failed later in the same request")

    with pytest.raises(RuntimeError, match="validation failed later"):
        await request_that_fails_after_enqueueing()

    assert job_queue.huey.pending_count() == 0
    assert await count_rows(database) == 0
    assert await sweep(job_queue) == 0
    assert await run_queued(job_queue) == 0
    assert CALLS[ref] == 0


async def test_a_committed_job_runs_once_even_when_handed_to_the_queue_twice(
    database: Database, job_queue: JobQueue
) -> None:
    item, ref = await add_job(database)
    job_queue.dispatch([outbox.Dispatch(item.id, item.available_at)])
    assert job_queue.huey.pending_count() == 2

    assert await run_queued(job_queue) == 2

    assert CALLS[ref] == 1
    done = await load(database, item.id)
    assert done.status == OutboxStatus.DONE
    assert done.attempts == 1
    assert done.finished_at is not None
    assert done.lease_until is None


async def test_a_repeated_idempotency_key_returns_the_first_row_and_queues_nothing(
    database: Database, job_queue: JobQueue
) -> None:
    first, ref = await add_job(database)
    async with database.transaction() as session:
        again = await outbox.enqueue(
            session, kind="test.record", payload={"ref": "other"}, idempotency_key=f"test:{ref}"
        )
        in_same_transaction = await outbox.enqueue(
            session, kind="test.record", payload={"ref": "other"}, idempotency_key=f"test:{ref}"
        )

    assert again.id == first.id == in_same_transaction.id
    assert again.payload == {"ref": ref}
    assert await count_rows(database) == 1
    assert job_queue.huey.pending_count() == 1
    await run_queued(job_queue)
    assert CALLS[ref] == 1


async def _waiting_on_a_lock(database: Database) -> bool:
    async with database.engine.connect() as connection:
        waiting = await connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
        )
        return bool(waiting.scalar_one())


async def test_two_transactions_adding_the_same_key_at_once_get_one_row(
    database: Database, job_queue: JobQueue
) -> None:
    key = f"race:{uuid.uuid4().hex}"

    async def add() -> uuid.UUID:
        async with database.transaction() as session:
            item = await outbox.enqueue(
                session, kind="test.record", payload={"ref": key}, idempotency_key=key
            )
            return item.id

    async with database.transaction() as session:
        first = await outbox.enqueue(
            session, kind="test.record", payload={"ref": key}, idempotency_key=key
        )
        second = asyncio.create_task(add())
        if not database.is_sqlite:
            # The second insert waits on the first's unique-index entry until this commits.
            await eventually(lambda: _waiting_on_a_lock(database), within=10)

    assert await second == first.id
    assert await count_rows(database) == 1
    await run_queued(job_queue)
    assert CALLS[key] == 1


async def test_work_a_handler_writes_is_handed_over_after_the_handler_commits(
    database: Database, job_queue: JobQueue
) -> None:
    next_ref = uuid.uuid4().hex
    item, ref = await add_job(database, "test.follow_up", next_ref=next_ref)

    assert await run_queued(job_queue) == 2

    assert (CALLS[ref], CALLS[next_ref]) == (1, 1)
    assert (await load(database, item.id)).status == OutboxStatus.DONE


class UnreachableQueue:
    def dispatch(self, items: Iterable[outbox.Dispatch]) -> None:
        raise ConnectionError("queue is down")


async def test_a_commit_succeeds_when_the_queue_is_down_and_the_sweeper_delivers_later(
    settings: Settings, database: Database, job_queue: JobQueue, clock: ManualClock
) -> None:
    outbox.bind(database, UnreachableQueue())
    item, ref = await add_job(database)  # no error: the row is committed

    job_queue.bind(database)
    assert job_queue.huey.pending_count() == 0
    assert await sweep(job_queue) == 0  # handed over moments ago, as far as the row knows
    clock.advance(settings.outbox_lease_seconds + 1)
    assert await sweep(job_queue) == 1
    assert await run_queued(job_queue, clock.now) == 1

    assert CALLS[ref] == 1
    assert (await load(database, item.id)).status == OutboxStatus.DONE


async def test_a_payload_keeps_ids_as_strings_and_refuses_objects(database: Database) -> None:
    organization_id = uuid.uuid4()
    async with database.transaction() as session:
        item = await outbox.enqueue(
            session,
            kind="test.record",
            payload={"organization_id": organization_id, "ref": "x"},
            idempotency_key=f"ids:{organization_id}",
        )
        with pytest.raises(TypeError, match="holds ids and plain JSON values, not object"):
            await outbox.enqueue(
                session, kind="test.record", payload={"x": object()}, idempotency_key="bad"
            )
    assert (await load(database, item.id)).payload == {
        "organization_id": str(organization_id),
        "ref": "x",
    }
