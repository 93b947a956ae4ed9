"""Each recorded event's job hands it to the handlers of its type and keeps what became of it."""

from __future__ import annotations

import uuid
from collections import Counter

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import OutboxItem, OutboxStatus, PartnerCenterEvent, PlatformConfig
from tenantry.partnercenter_events import registry
from tests.factories import World
from tests.jobs.conftest import ManualClock, run_queued
from tests.partnercenter_events.conftest import Signer, event_body, post_event

HANDLED = "tenantry-test-handled"
BROKEN = "tenantry-test-broken"
CALLS: Counter[uuid.UUID] = Counter()


async def mark_platform(session: AsyncSession, event: PartnerCenterEvent) -> str:
    """A handler that writes in the job's transaction and says what it did."""
    CALLS[event.id] += 1
    config = (await session.execute(select(PlatformConfig).limit(1))).scalar_one()
    config.billing_address_required = True
    return f"marked the platform for {event.resource_name}"


async def breaks(session: AsyncSession, event: PartnerCenterEvent) -> str:
    CALLS[event.id] += 1
    config = (await session.execute(select(PlatformConfig).limit(1))).scalar_one()
    config.billing_address_required = True  # undone: the handler fails after writing
    await session.flush()
    raise RuntimeError("Partner Center answered 503")


@pytest.fixture(autouse=True)
def handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry._handlers, HANDLED, [mark_platform])
    monkeypatch.setitem(registry._handlers, BROKEN, [breaks])


async def deliver(client: httpx.AsyncClient, signer: Signer, name: str) -> PartnerCenterEvent:
    body = event_body(name)
    response = await post_event(client, body, signer.headers(body))
    assert response.status_code == 202, response.text
    return PartnerCenterEvent(id=response.json()["id"])


async def stored(database: Database, name: str) -> PartnerCenterEvent:
    async with database.transaction(write=False) as session:
        found = await session.execute(
            select(PartnerCenterEvent).where(PartnerCenterEvent.event_name == name)
        )
        return found.scalar_one()


async def billing_address_required(database: Database) -> bool:
    async with database.transaction(write=False) as session:
        return bool(await session.scalar(select(PlatformConfig.billing_address_required).limit(1)))


async def test_the_job_calls_the_registered_handlers(
    client: httpx.AsyncClient, database: Database, signer: Signer, job_queue: JobQueue,
    world: World,
) -> None:  # fmt: skip
    await deliver(client, signer, HANDLED)
    await run_queued(job_queue)
    event = await stored(database, HANDLED)
    assert (event.outcome.value, event.detail) == ("handled", "marked the platform for Customer")
    assert event.handled_at is not None
    assert CALLS[event.id] == 1 and await billing_address_required(database)
    await run_queued(job_queue)
    assert CALLS[event.id] == 1


@pytest.mark.parametrize(
    ("name", "detail"),
    [
        ("some-event-from-the-future", "No handler for this type."),
        ("test-created", "Partner Center's test event: the subscription delivers."),
    ],
)
async def test_an_event_nobody_acts_on_is_kept_as_ignored(
    client: httpx.AsyncClient, database: Database, signer: Signer, job_queue: JobQueue,
    name: str, detail: str,
) -> None:  # fmt: skip
    await deliver(client, signer, name)
    await run_queued(job_queue)
    event = await stored(database, name)
    assert (event.outcome.value, event.detail) == ("ignored", detail)
    async with database.transaction(write=False) as session:
        job = (await session.execute(select(OutboxItem))).scalar_one()
    assert job.status is OutboxStatus.DONE


async def test_a_failing_handler_is_retried_then_the_event_fails_with_the_reason(
    client: httpx.AsyncClient, database: Database, signer: Signer, job_queue: JobQueue,
    clock: ManualClock, world: World,
) -> None:  # fmt: skip
    await deliver(client, signer, BROKEN)
    await run_queued(job_queue)
    event = await stored(database, BROKEN)
    assert (event.outcome.value, CALLS[event.id]) == ("received", 1)
    for _ in range(10):
        clock.advance(3600)
        await run_queued(job_queue)
    event = await stored(database, BROKEN)
    assert event.outcome.value == "failed"
    assert "RuntimeError: Partner Center answered 503" in (event.detail or "")
    assert "tests.partnercenter_events.test_handling.breaks" in (event.detail or "")
    assert CALLS[event.id] == 6  # every attempt the job has
    assert not await billing_address_required(database)
    async with database.transaction(write=False) as session:
        job = (await session.execute(select(OutboxItem))).scalar_one()
    assert job.status is OutboxStatus.DONE and job.attempts == 6
