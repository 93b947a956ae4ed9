"""Handled and ignored events past the retention are deleted daily, in batches; failed ones and
those still waiting are kept."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.jobs import registry as jobs_registry
from tenantry.models import EventOutcome, OutboxItem, PartnerCenterEvent, utcnow
from tenantry.partnercenter_events import retention, service
from tenantry.settings import Settings
from tests.factories import World
from tests.partnercenter_events.conftest import event_body

NOW = utcnow()


async def received(database: Database, world: World, days_ago: int, outcome: EventOutcome) -> str:
    name = f"{outcome.value}-{days_ago}-{uuid.uuid4().hex[:6]}"
    async with database.transaction() as session:
        event, _ = await service.record(session, world.platform.id, service.parse(event_body(name)))
        event.received_at = NOW - timedelta(days=days_ago)
        event.outcome = outcome
    return name


async def left(database: Database) -> tuple[list[str], int]:
    async with database.transaction(write=False) as session:
        names = await session.scalars(
            select(PartnerCenterEvent.event_name).order_by(PartnerCenterEvent.event_name)
        )
        jobs = await session.scalar(
            select(func.count()).select_from(OutboxItem).where(OutboxItem.kind == service.KIND)
        )
    return list(names), int(jobs or 0)


async def clean(database: Database, *, days: int, batch_size: int, at: datetime = NOW) -> int:
    async with database.transaction() as session:
        return await retention.delete_old_events(
            session, retention_days=days, clock=lambda: at, batch_size=batch_size
        )


def test_the_daily_job_is_declared_and_the_retention_defaults_to_90_days() -> None:
    jobs_registry.discover()
    assert "partnercenter_events.retention" in [p.name for p in jobs_registry.periodic_jobs()]
    assert Settings.model_fields["partner_center_event_retention_days"].default == 90


async def test_old_handled_and_ignored_events_go_in_batches_failed_ones_stay(
    database: Database, world: World
) -> None:
    old = [
        await received(database, world, 100 + n, outcome)
        for n, outcome in enumerate([EventOutcome.HANDLED] * 3 + [EventOutcome.IGNORED] * 2)
    ]
    kept = sorted([
        await received(database, world, 120, EventOutcome.FAILED),
        await received(database, world, 120, EventOutcome.RECEIVED),
        await received(database, world, 89, EventOutcome.HANDLED),
        await received(database, world, 10, EventOutcome.IGNORED),
    ])  # fmt: skip
    assert len(old) == 5

    assert await clean(database, days=90, batch_size=2) == 5
    assert await left(database) == (kept, 4), "their jobs went with them"
    assert await clean(database, days=90, batch_size=2) == 0
    # Two days later the 89-day-old one is past the retention too.
    assert await clean(database, days=90, batch_size=2, at=NOW + timedelta(days=2)) == 1
    assert len((await left(database))[0]) == 3
