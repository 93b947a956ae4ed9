"""Consumers: the periodic jobs they know and schedule, threads inside the app on SQLite."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tenantry.db import Database
from tenantry.jobs.consumer import InProcessConsumer, build_consumer, runs_in_process
from tenantry.jobs.queue import JobQueue, every
from tenantry.models import OutboxStatus
from tenantry.settings import Settings
from tests.jobs.conftest import add_job, eventually, load
from tests.jobs.handlers import CALLS, TICKS


def test_serve_consumes_in_process_only_for_an_embedded_queue() -> None:
    def on(url: str) -> bool:
        return runs_in_process(Settings(environment="test", queue_url=url))

    assert on("sqlite:///var/queue.db")
    assert on("memory://")
    assert not on("postgresql://db.internal/tenantry")
    assert not on("redis://cache.internal:6379/0")


@pytest.mark.parametrize(
    ("interval", "due_minutes"),
    [(60, [0, 1, 2, 3, 4, 5]), (30, [0, 1, 2, 3, 4, 5]), (300, [0, 5]), (90, [0, 2, 4])],
)
def test_the_sweep_interval_counts_in_whole_minutes(interval: int, due_minutes: list[int]) -> None:
    due = every(timedelta(seconds=interval))
    hour = datetime(2026, 11, 21, 9, 0)
    assert [m for m in range(6) if due(hour + timedelta(minutes=m))] == due_minutes


async def test_every_consumer_knows_the_periodic_jobs_and_only_one_schedules_them(
    job_queue: JobQueue,
) -> None:
    def due_at_midnight() -> dict[str, Any]:
        tasks = job_queue.huey.read_periodic(datetime(2026, 1, 1))
        return {type(task).__name__: task for task in tasks}

    assert set(due_at_midnight()) == {"sweep_outbox"}
    # A consumer that does not schedule still runs the periodic runs it takes off the queue.
    assert not build_consumer(job_queue, threads=1, periodic=False).periodic
    assert set(due_at_midnight()) == {
        "sweep_outbox",
        "periodic_test.tick",
        "periodic_test.marker_tick",
        "periodic_identity.on_behalf_timeouts",
        "periodic_sync.first",
        "periodic_sync.audit_poll",
        "periodic_agreements.refresh",
        "periodic_tenants.credentials_expiry",
        "periodic_catalog.first",
        "periodic_directory.reimport",
    }
    assert build_consumer(job_queue, threads=1, periodic=True).periodic

    before = TICKS["tick"]
    await asyncio.to_thread(job_queue.huey.execute, due_at_midnight()["periodic_test.tick"])
    assert TICKS["tick"] == before + 1


async def test_the_in_process_consumer_runs_jobs_and_stops_gracefully(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    embedded = settings.model_copy(update={"queue_url": f"sqlite:///{tmp_path}/queue.db"})
    consumer = InProcessConsumer(embedded, threads=2)
    consumer.queue.bind(database)
    consumer.start()
    try:
        items = [await add_job(database) for _ in range(5)]

        async def all_done() -> bool:
            rows = [await load(database, item.id) for item, _ in items]
            return all(row.status == OutboxStatus.DONE for row in rows)

        await eventually(all_done)
    finally:
        await asyncio.to_thread(consumer.stop)
    assert [CALLS[ref] for _, ref in items] == [1] * 5
