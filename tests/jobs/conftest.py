"""A queue on a hand-driven clock, and helpers that run queued jobs on demand."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tenantry.db import Database
from tenantry.jobs import outbox
from tenantry.jobs.queue import JobQueue
from tenantry.models import OutboxItem, utcnow
from tenantry.settings import Settings
from tests.jobs import handlers as _handlers  # noqa: F401  (registers the test handlers)


class ManualClock:
    """Real time moved forward on demand: never behind the clock ``enqueue`` reads."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    @property
    def now(self) -> datetime:
        return self()

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def job_queue(settings: Settings, database: Database, clock: ManualClock) -> Iterator[JobQueue]:
    """A memory queue whose jobs run only when a test calls ``run_queued``."""
    queue = JobQueue(settings, clock=clock)
    queue.bind(database)
    yield queue
    queue.close()


def drain(queue: JobQueue, at: datetime | None = None) -> int:
    """Run every message due at ``at``, the way a consumer would; returns how many ran."""
    huey = queue.huey
    timestamp = (at or queue.clock()).astimezone(UTC).replace(tzinfo=None)
    for task in huey.read_schedule(timestamp):
        huey.enqueue(task)
    executed = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task, timestamp)
        executed += 1
    return executed


async def run_queued(queue: JobQueue, at: datetime | None = None) -> int:
    # Jobs run their own event loop, so they cannot run on the test's.
    return await asyncio.to_thread(drain, queue, at)


async def sweep(queue: JobQueue) -> int:
    return await asyncio.to_thread(queue.sweep)


async def add_job(
    database: Database, kind: str = "test.record", **payload: Any
) -> tuple[OutboxItem, str]:
    """Commit one outbox row (handed to the queue bound to ``database``); returns it and its ref."""
    ref = payload.setdefault("ref", uuid.uuid4().hex)
    async with database.transaction() as session:
        item = await outbox.enqueue(
            session, kind=kind, payload=payload, idempotency_key=f"test:{ref}"
        )
    return item, ref


async def load(database: Database, item_id: uuid.UUID) -> OutboxItem:
    async with database.transaction(write=False) as session:
        found = await session.execute(select(OutboxItem).where(OutboxItem.id == item_id))
        return found.scalar_one()


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float = 30.0) -> None:
    """Poll ``check`` until it holds; fail after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {within} s")
        await asyncio.sleep(0.05)
