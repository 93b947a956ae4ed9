"""Consumers racing for the same job: one runs it, the others skip it."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from tenantry.db import Database
from tenantry.jobs import outbox
from tenantry.jobs.consumer import InProcessConsumer
from tenantry.jobs.queue import JobQueue
from tenantry.models import OutboxStatus
from tenantry.settings import Settings
from tests.jobs.conftest import add_job, eventually, load
from tests.jobs.handlers import CALLS


async def test_workers_racing_for_one_delivery_run_it_once(
    database: Database, job_queue: JobQueue
) -> None:
    item, ref = await add_job(database)
    racers = 4
    start = threading.Barrier(racers)

    def race() -> None:
        start.wait(timeout=10)
        job_queue.run_item(str(item.id))

    await asyncio.gather(*(asyncio.to_thread(race) for _ in range(racers)))

    assert CALLS[ref] == 1
    done = await load(database, item.id)
    assert (done.status, done.attempts) == (OutboxStatus.DONE, 1)


async def test_two_consumers_on_one_queue_run_a_job_handed_over_three_times_once(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    shared = settings.model_copy(update={"queue_url": f"sqlite:///{tmp_path}/queue.db"})
    producer = JobQueue(shared)
    producer.bind(database)
    consumers = [
        InProcessConsumer(shared, queue=JobQueue(shared), threads=2),
        InProcessConsumer(shared, queue=JobQueue(shared), threads=2),
    ]
    try:
        item, ref = await add_job(database)
        producer.dispatch([outbox.Dispatch(item.id, item.available_at)] * 2)
        for consumer in consumers:
            consumer.start()

        async def finished() -> bool:
            drained = producer.huey.pending_count() == 0
            return drained and (await load(database, item.id)).status == OutboxStatus.DONE

        await eventually(finished)
    finally:
        # Stopping waits for jobs in flight, so every copy has been dealt with afterwards.
        for consumer in consumers:
            await asyncio.to_thread(consumer.stop)
            consumer.queue.close()
        producer.close()

    assert CALLS[ref] == 1
    assert (await load(database, item.id)).attempts == 1
