"""Migration 0014_orderflow: orders placed before it (``submitted``) wait for payment, each with
a "placed" row in its timeline; it runs down and up again on both databases."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from tenantry.db import Database
from tenantry.migrate import downgrade, upgrade
from tenantry.models import Order
from tenantry.orders import flow
from tests.factories import World

PREVIOUS = "0013_ownagreements"


def sync_engine(url: str) -> sa.Engine:
    return sa.create_engine(
        url.replace("+aiosqlite", "").replace("postgresql://", "postgresql+psycopg://", 1)
    )


async def test_submitted_orders_wait_for_payment_after_the_migration(
    database: Database, world: World, database_url: str
) -> None:
    async with database.transaction() as session:
        order = Order(
            platform_id=world.platform.id, organization_id=world.customer_a.id,
            currency="EUR", total=0, lines=[],
        )  # fmt: skip
        await flow.placed(session, world.customer_a.actor, order)
        order_id = order.id
    await database.dispose()

    # Alembic's env runs its own event loop, so it runs beside the test's loop, in a thread.
    await asyncio.to_thread(downgrade, database_url, PREVIOUS)
    engine = sync_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(sa.text("SELECT status FROM orders")) == "submitted"
        await asyncio.to_thread(upgrade, database_url)
        with engine.connect() as connection:
            row = connection.execute(
                sa.text(
                    "SELECT status, placed_by_organization_id, provisioning_attempts FROM orders"
                )
            ).one()
            events = connection.execute(
                sa.text("SELECT event, from_status, to_status FROM order_events")
            ).all()
    finally:
        engine.dispose()
    assert row[0] == "pending_payment" and row[2] == 0
    assert str(row[1]).replace("-", "") == world.customer_a.id.hex
    assert [tuple(e) for e in events] == [("placed", None, "pending_payment")]
    assert order_id is not None
