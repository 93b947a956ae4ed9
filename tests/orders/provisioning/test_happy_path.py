"""A paid order is bought in the Partner Center sandbox and completes: for a linked existing
tenant, for a new tenant (created first, its waiting agreement confirmed), and for a reseller's
customer (the reseller of record on the purchase)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select

from tenantry.agreements.customer.service import accept
from tenantry.db import Database
from tenantry.models import MicrosoftSubscription, MicrosoftTenant, OrderStatus, ProvisioningStep
from tenantry.partnercenter.client import PartnerCenterClient
from tests.factories import World
from tests.orders.provisioning.conftest import (
    Worker,
    hold_prefix,
    in_the_us,
    line,
    paid_order,
    progress_of,
    sandbox_orders,
    timeline_of,
    with_existing_tenant,
)
from tests.sandbox.conftest import Sandbox

pytestmark = pytest.mark.usefixtures("network", "app")


async def subscriptions_of(
    database: Database, organization_id: uuid.UUID
) -> list[MicrosoftSubscription]:
    async with database.transaction(write=False) as session:
        rows = await session.scalars(
            select(MicrosoftSubscription).where(
                MicrosoftSubscription.organization_id == organization_id
            )
        )
        return list(rows)


async def test_an_existing_tenants_paid_order_is_bought_followed_and_completed(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker,
    client: httpx.AsyncClient,
) -> None:  # fmt: skip
    tenant_id = await with_existing_tenant(database, sqlite_sandbox, world.direct_customer)
    await sqlite_sandbox.control("PUT", "/provisioning", json={"polls": 3})
    before = await sandbox_orders(sqlite_sandbox, tenant_id)
    order_id = await paid_order(database, world, world.direct_customer)

    order = await worker.settle(order_id)

    assert order.status is OrderStatus.COMPLETED, order.failure_message
    assert await timeline_of(database, order_id) == [
        "placed",
        "paid",
        "provisioning_started",
        "completed",
    ]
    progress = await progress_of(database, order_id)
    assert progress.step is ProvisioningStep.DONE
    assert progress.cart_lines[0]["catalog_item_id"] == "CFQ7TTC0LH18:0001:CFQ7TTC0K971"
    [bought] = [o for o in await sandbox_orders(sqlite_sandbox, tenant_id) if o not in before]
    assert progress.partner_center_order_ids == [bought["id"]]
    [subscription] = [
        s
        for s in await subscriptions_of(database, world.direct_customer.organization.id)
        if s.order_id == bought["id"]
    ]
    assert subscription.quantity == 3 and subscription.offer_id == "CFQ7TTC0LH18:0001:CFQ7TTC0K971"
    assert subscription.order_id == bought["id"] and subscription.tenant_id == tenant_id
    assert progress.subscription_ids == [subscription.subscription_id]
    url = f"/api/v1/orders/{order_id}/provisioning"
    seen = await client.get(url, headers=world.direct_customer.headers)
    assert seen.status_code == 200, seen.text
    assert seen.json()["step"] == "done" and seen.json()["summary"] == "Provisioned."
    assert seen.json()["partner_center_order_ids"] == [bought["id"]]
    stranger = await client.get(url, headers=world.customer_b.headers)
    assert stranger.status_code == 404


async def test_a_new_tenants_order_creates_it_confirms_the_waiting_agreement_and_buys(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker,
    partner_center: PartnerCenterClient,
) -> None:  # fmt: skip
    customer = world.direct_customer
    await in_the_us(database, customer)
    await hold_prefix(database, customer.organization, "freshtraders")
    async with database.transaction() as session:
        await accept(
            session, customer.actor, partner_center, first_name="Ada", last_name="Admin",
            email="ada@freshtraders.example", phone=None,
        )  # fmt: skip
    order_id = await paid_order(database, world, customer)

    order = await worker.settle(order_id)

    assert order.status is OrderStatus.COMPLETED, order.failure_message
    async with database.transaction(write=False) as session:
        tenant = await session.get_one(MicrosoftTenant, customer.organization.id)
    assert tenant.initial_domain == "freshtraders.onmicrosoft.com"
    agreements = await sqlite_sandbox.call("GET", f"/v1/customers/{tenant.tenant_id}/agreements")
    [confirmed] = agreements.json()["items"]
    assert confirmed["primaryContact"]["email"] == "ada@freshtraders.example"
    assert len(await sandbox_orders(sqlite_sandbox, tenant.tenant_id)) == 1


async def test_a_resellers_customer_buys_with_the_reseller_of_record(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker,
    partner_center: PartnerCenterClient,
) -> None:  # fmt: skip
    customer = world.customer_a
    await in_the_us(database, customer)
    await hold_prefix(database, customer.organization, "alphabuys")
    async with database.transaction() as session:
        await accept(
            session, customer.actor, partner_center, first_name="Al", last_name="Pha",
            email="al@alphabuys.example", phone=None,
        )  # fmt: skip
    order_id = await paid_order(database, world, customer, [line(quantity=2)])

    order = await worker.settle(order_id)

    assert order.status is OrderStatus.COMPLETED, order.failure_message
    [subscription] = await subscriptions_of(database, customer.organization.id)
    assert subscription.raw["partnerId"] == world.reseller_a.organization.mpn_id
