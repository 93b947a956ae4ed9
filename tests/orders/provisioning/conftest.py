"""Paid orders provisioned against the Partner Center sandbox: the app wired to it in-process,
its outbox run the way a worker runs it (claim, handler, commit) on the test's clock, and the
customers the orders are for."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from tenantry.db import Database
from tenantry.jobs.runner import run_item
from tenantry.models import (
    LinkMethod,
    Order,
    OrderEvent,
    OrderProvisioning,
    OrderStatus,
    Organization,
    OutboxItem,
    OutboxStatus,
    utcnow,
)
from tenantry.notifications import tasks as _emails  # noqa: F401  (registers the email job)
from tenantry.orders import flow
from tenantry.orders.provisioning import tasks as _provisioning  # noqa: F401  (the job)
from tenantry.tenants.linking import TenantFacts, link_tenant
from tests.agreements.conftest import partner_center  # noqa: F401  (fixture used here)
from tests.factories import Party, World
from tests.jobs.conftest import ManualClock
from tests.sandbox.conftest import Sandbox
from tests.tenants.conftest import (  # noqa: F401  (fixtures used here)
    app,
    clock,
    job_queue,
    mail_settings,
    network,
    people,
    settings_overrides,
    smtp_server,
    sqlite_sandbox,
)
from tests.tenants.new_tenant.conftest import hold_prefix

__all__ = ["hold_prefix"]  # used by the tests

BASIC = {
    "offer_id": "CFQ7TTC0LH18:0001", "title": "Microsoft 365 Business Basic", "term": "P1Y",
    "quantity": 3, "unit_price": "6.00", "total": "18.00",
}  # fmt: skip
JOB_KINDS = (flow.PROVISION_JOB, "notifications.email")
SETTLED = (OrderStatus.COMPLETED, OrderStatus.FAILED, OrderStatus.CANCELLED)


def line(**changes: Any) -> dict[str, Any]:
    return BASIC | changes


async def in_the_us(database: Database, party: Party) -> Organization:
    """The sandbox sells in the US market: the customer's address is there."""
    async with database.transaction() as session:
        organization = await session.get_one(Organization, party.organization.id)
        organization.address_country = "US"
        organization.address_region = "WA"
        organization.address_city = "Redmond"
        organization.address_postal_code = "98052"
    return organization


async def with_existing_tenant(
    database: Database, sandbox: Sandbox, party: Party, *, mca: bool = True, **fields: Any
) -> uuid.UUID:
    """The customer holds an existing tenant that accepted the distributor (and, with ``mca``,
    the Microsoft Customer Agreement)."""
    organization = await in_the_us(database, party)
    made = await sandbox.customer(relationship="direct", mcaAttested=mca, **fields)
    tenant_id = uuid.UUID(made["id"])
    async with database.transaction() as session:
        row = await session.get_one(Organization, organization.id)
        facts = TenantFacts(tenant_id, initial_domain=made["domain"])
        await link_tenant(session, None, row, facts, LinkMethod.VERIFIED)
    return tenant_id


async def paid_order(
    database: Database, world: World, customer: Party, lines: list[dict[str, Any]] | None = None
) -> uuid.UUID:
    """An order the customer placed and the platform's staff marked paid: provisioning queued."""
    lines = lines or [line()]
    async with database.transaction() as session:
        order = Order(
            platform_id=customer.organization.platform_id,
            organization_id=customer.organization.id,
            placed_by_organization_id=customer.organization.id,
            currency="USD",
            total=sum((Decimal(str(x["total"])) for x in lines), Decimal("0")),
            lines=lines,
        )
        await flow.placed(session, customer.actor, order)
        await flow.mark_paid(session, world.platform.actor, order, provider="manual",
                             reference="INV-1")  # fmt: skip
        return order.id


@dataclass
class Worker:
    """Runs due outbox rows as ``tenantry worker`` does, in the test's event loop."""

    database: Database
    clock: ManualClock

    async def due(self) -> list[uuid.UUID]:
        async with self.database.transaction(write=False) as session:
            rows = await session.scalars(
                select(OutboxItem.id)
                .where(
                    OutboxItem.kind.in_(JOB_KINDS),
                    OutboxItem.status == OutboxStatus.PENDING,
                    OutboxItem.available_at <= self.clock(),
                )
                .order_by(OutboxItem.created_at)
            )
            return list(rows)

    async def run_due(self) -> int:
        ran = 0
        while ids := await self.due():
            for item_id in ids:
                await run_item(self.database, item_id, clock=self.clock, lease=timedelta(minutes=1))
                ran += 1
        return ran

    async def next_due_at(self) -> Any:
        async with self.database.transaction(write=False) as session:
            return await session.scalar(
                select(OutboxItem.available_at)
                .where(OutboxItem.kind == flow.PROVISION_JOB,
                       OutboxItem.status == OutboxStatus.PENDING)
                .order_by(OutboxItem.available_at)
                .limit(1)
            )  # fmt: skip

    async def settle(self, order_id: uuid.UUID, *, rounds: int = 40) -> Order:
        """Run jobs, moving the clock to the next due one, until the order is settled."""
        for _ in range(rounds):
            await self.run_due()
            order = await order_of(self.database, order_id)
            if order.status in SETTLED:
                return order
            due_at = await self.next_due_at()
            if due_at is None:
                return order
            self.clock.advance(max(0.0, (due_at - self.clock()).total_seconds()) + 1)
        return await order_of(self.database, order_id)


@pytest.fixture
def worker(database: Database, clock: ManualClock) -> Worker:  # noqa: F811
    return Worker(database, clock)


async def order_of(database: Database, order_id: uuid.UUID) -> Order:
    async with database.transaction(write=False) as session:
        return await session.get_one(Order, order_id, populate_existing=True)


async def progress_of(database: Database, order_id: uuid.UUID) -> OrderProvisioning:
    async with database.transaction(write=False) as session:
        return await session.get_one(OrderProvisioning, order_id, populate_existing=True)


async def timeline_of(database: Database, order_id: uuid.UUID) -> list[str]:
    async with database.transaction(write=False) as session:
        rows = await session.scalars(
            select(OrderEvent.event).where(OrderEvent.order_id == order_id)
            .order_by(OrderEvent.created_at, OrderEvent.id)
        )  # fmt: skip
        return list(rows)


async def sandbox_orders(sandbox: Sandbox, tenant_id: uuid.UUID | str) -> list[dict[str, Any]]:
    response = await sandbox.call("GET", f"/v1/customers/{tenant_id}/orders")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def age_waiting(database: Database, order_id: uuid.UUID, hours: float) -> None:
    """Pretend the order has been waiting for ``hours``."""
    async with database.transaction() as session:
        await session.execute(
            update(OrderProvisioning)
            .where(OrderProvisioning.order_id == order_id)
            .values(waiting_since=utcnow() - timedelta(hours=hours))
        )
