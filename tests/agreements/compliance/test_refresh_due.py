"""Which customers the scheduled agreement refresh asks about, and how the database finds them:
never by reading every status once per customer, whether the planner's statistics are fresh or
were taken before a sync filled the tables (seen at 100,000 customers: a million scans a run)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements.compliance.refresh import due, never_checked_query, stale_query
from tenantry.db import Database
from tenantry.models import (
    MicrosoftAgreementState,
    MicrosoftAgreementStatus,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    utcnow,
)
from tests.factories import World
from tests.query_plans import Step, plan_of

DAY = timedelta(hours=24)
State = MicrosoftAgreementState


def _customer(world: World, n: int, **fields: Any) -> dict[str, Any]:
    now = utcnow()
    return {
        "id": uuid.uuid4(), "kind": OrganizationKind.CUSTOMER, "platform_id": world.platform.id,
        "parent_id": world.reseller_a.id, "status": OrganizationStatus.ACTIVE,
        "legal_name": f"Customer {n:05d} ApS", "display_name": f"Customer {n:05d}",
        "address_line1": "Vestergade 1", "address_city": "Aarhus", "address_country": "DK",
        "contact_name": "Carl", "contact_email": f"it{n}@example.com",
        "preferred_currency": "DKK", "custom_properties": {}, "version": 1,
        "created_at": now, "updated_at": now, "tenant_id": uuid.uuid4(),
    } | fields  # fmt: skip


def _status(
    world: World,
    customer: dict[str, Any],
    state: State,
    checked_ago: timedelta | None,
    **fields: Any,
) -> dict[str, Any]:
    now = utcnow()
    return {
        "organization_id": customer["id"], "platform_id": world.platform.id,
        "tenant_id": customer["tenant_id"], "state": state,
        "checked_at": None if checked_ago is None else now - checked_ago,
        "created_at": now, "updated_at": now,
    } | fields  # fmt: skip


async def _insert(
    session: AsyncSession, customers: list[dict[str, Any]], statuses: list[dict[str, Any]]
) -> None:
    await session.execute(sa.insert(Organization), customers)
    if statuses:
        await session.execute(sa.insert(MicrosoftAgreementStatus), statuses)


async def test_never_checked_customers_come_first_then_the_longest_unchecked_missing_ones(
    database: Database, world: World
) -> None:
    c = [_customer(world, n) for n in range(9)]
    c[6]["status"] = OrganizationStatus.REJECTED
    c[7]["tenant_id"] = None
    statuses = [
        _status(world, c[1], State.UNKNOWN, None),  # a row, never asked
        _status(world, c[2], State.MISSING, 2 * DAY, tenant_id=uuid.uuid4()),  # another tenant
        _status(world, c[3], State.MISSING, 3 * DAY),
        _status(world, c[4], State.UNKNOWN, 2 * DAY),
        _status(world, c[5], State.MISSING, DAY / 2),  # checked recently
        _status(world, c[8], State.ACCEPTED, 30 * DAY),  # accepted: never asked again
    ]
    async with database.transaction() as session:
        await _insert(session, c, statuses)

    async with database.transaction(write=False) as session:
        found = await due(session, now=utcnow(), recheck=DAY, limit=10)
        first_two = await due(session, now=utcnow(), recheck=DAY, limit=2)
        four = await due(session, now=utcnow(), recheck=DAY, limit=4)

    never = sorted([c[0]["id"], c[1]["id"], c[2]["id"]])
    assert found == [*never, c[3]["id"], c[4]["id"]]
    assert first_two == never[:2]
    assert four == [*never, c[3]["id"]]


async def _seed_many(database: Database, world: World) -> None:
    """3,000 customers with a tenant: a third never checked, a third accepted, a third missing
    and due again."""
    customers = [_customer(world, n) for n in range(3000)]
    statuses = [
        _status(world, customer, State.ACCEPTED if n % 2 else State.MISSING, (n % 50 + 2) * DAY)
        for n, customer in enumerate(customers[1000:])
    ]
    async with database.transaction() as session:
        await _insert(session, customers, statuses)


async def _analyse(database: Database) -> None:
    async with database.engine.connect() as connection:
        await connection.execute(sa.text("ANALYZE"))
        await connection.commit()


def _assert_no_table_read_for_each_row(dialect: str, plan: list[Step]) -> None:
    """Statuses and organizations are read through an index, or at most once for the query."""
    text = "\n".join(map(str, plan))
    reads = [s for s in plan if "organizations" in s.what or "agreement_statuses" in s.what]
    assert reads, text
    if dialect == "sqlite":
        statuses = [s for s in reads if "agreement_statuses" in s.what]
        assert all("USING" in s.what for s in statuses), text
        return
    assert not any(s.per_outer_row and s.what.startswith("Seq Scan") for s in reads), text


@pytest.mark.parametrize("statistics", ["fresh", "taken before the tables filled"])
async def test_the_due_customers_are_found_without_reading_every_status_for_each_customer(
    database: Database, world: World, statistics: str
) -> None:
    if statistics == "fresh":
        await _seed_many(database, world)
        await _analyse(database)
    else:
        await _analyse(database)
        await _seed_many(database, world)

    for query in (never_checked_query(50), stale_query(utcnow() - DAY, 50)):
        dialect, plan = await plan_of(database, query)
        _assert_no_table_read_for_each_row(dialect, plan)


async def test_the_statuses_asked_again_are_read_in_order_from_their_index(
    database: Database, world: World
) -> None:
    await _seed_many(database, world)
    await _analyse(database)

    dialect, plan = await plan_of(database, stale_query(utcnow() - DAY, 50))

    text = "\n".join(map(str, plan))
    if dialect == "sqlite":
        assert "TEMP B-TREE" not in text, text
        assert "ix_microsoft_agreement_statuses_asked_again" in text, text
    else:
        assert not any(step.what in ("Sort", "Incremental Sort") for step in plan), text
