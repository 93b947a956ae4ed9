"""Partner Center's refusals become the order's failure, in plain words with what to do, and
nothing is bought; a failed order retried once the cause is fixed completes."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from tenantry.db import Database
from tenantry.models import (
    MicrosoftAgreementState,
    MicrosoftAgreementStatus,
    MicrosoftTenant,
    Order,
    OrderProvisioning,
    OrderStatus,
    Organization,
    utcnow,
)
from tenantry.orders import flow
from tenantry.orders.provisioning import refusals
from tenantry.partnercenter.client import PartnerCenterClient
from tests.factories import World
from tests.orders.provisioning.conftest import (
    Worker,
    hold_prefix,
    in_the_us,
    line,
    order_of,
    paid_order,
    progress_of,
    sandbox_orders,
    with_existing_tenant,
)
from tests.sandbox.conftest import Sandbox

pytestmark = pytest.mark.usefixtures("network", "app")


async def failed_with(order: Order, code: str, *words: str) -> None:
    assert order.status is OrderStatus.FAILED, order.status
    assert order.failure_code == code, order.failure_message
    for word in words:
        assert word in (order.failure_message or ""), order.failure_message


async def test_no_agreement_fails_before_anything_is_sent_to_microsoft(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker
) -> None:
    tenant_id = await with_existing_tenant(database, sqlite_sandbox, world.direct_customer,
                                           mca=False)  # fmt: skip
    before = await sandbox_orders(sqlite_sandbox, tenant_id)
    order_id = await paid_order(database, world, world.direct_customer)

    order = await worker.settle(order_id)

    await failed_with(order, refusals.AGREEMENT_MISSING, "Microsoft Customer Agreement",
                      "retry the order")  # fmt: skip
    assert (await progress_of(database, order_id)).cart_id is None
    assert await sandbox_orders(sqlite_sandbox, tenant_id) == before


async def test_microsofts_own_agreement_refusal_at_checkout_fails_the_order_and_corrects_the_status(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker
) -> None:
    customer = world.direct_customer
    tenant_id = await with_existing_tenant(database, sqlite_sandbox, customer, mca=False)
    async with database.transaction() as session:  # Tenantry believes it accepted
        session.add(MicrosoftAgreementStatus(
            organization_id=customer.organization.id, platform_id=customer.organization.platform_id,
            tenant_id=tenant_id, state=MicrosoftAgreementState.ACCEPTED,
        ))  # fmt: skip
    before = await sandbox_orders(sqlite_sandbox, tenant_id)
    order_id = await paid_order(database, world, customer)

    order = await worker.settle(order_id)

    await failed_with(order, refusals.AGREEMENT_MISSING, "not on record at Microsoft")
    assert (await progress_of(database, order_id)).cart_id is not None
    assert await sandbox_orders(sqlite_sandbox, tenant_id) == before
    async with database.transaction(write=False) as session:
        status = await session.get_one(MicrosoftAgreementStatus, customer.organization.id)
    assert status.state is MicrosoftAgreementState.MISSING


async def test_a_quantity_microsoft_does_not_sell_fails_the_order_saying_so(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker
) -> None:
    tenant_id = await with_existing_tenant(database, sqlite_sandbox, world.direct_customer)
    before = await sandbox_orders(sqlite_sandbox, tenant_id)
    order_id = await paid_order(database, world, world.direct_customer, [line(quantity=301)])

    order = await worker.settle(order_id)

    await failed_with(order, refusals.QUANTITY_OUT_OF_RANGE, "quantity", "within the product's")
    assert await sandbox_orders(sqlite_sandbox, tenant_id) == before


@pytest.mark.parametrize(
    "ordered",
    [line(term="P3Y"), line(offer_id="CFQ7TTC0ZZZZ:0001", title="Withdrawn Suite")],
    ids=["term not sold", "product gone"],
)
async def test_a_product_not_sold_as_ordered_fails_the_order_saying_so(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker,
    ordered: dict[str, object],
) -> None:  # fmt: skip
    await with_existing_tenant(database, sqlite_sandbox, world.direct_customer)
    order_id = await paid_order(database, world, world.direct_customer, [ordered])

    order = await worker.settle(order_id)

    await failed_with(order, refusals.OFFER_UNAVAILABLE, "order again from the current catalog")


async def test_a_tenant_that_no_longer_accepts_the_seller_fails_the_order_saying_what_to_do(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker
) -> None:
    tenant_id = await with_existing_tenant(database, sqlite_sandbox, world.direct_customer)
    removed = await sqlite_sandbox.call(
        "PATCH", f"/v1/customers/{tenant_id}", json={"relationshipToPartner": "none"}
    )
    assert removed.status_code == 200, removed.text
    order_id = await paid_order(database, world, world.direct_customer)

    order = await worker.settle(order_id)

    await failed_with(order, refusals.RELATIONSHIP_MISSING, "authorization link again")


async def new_tenant_order(
    database: Database, world: World, client: PartnerCenterClient, prefix: str
) -> uuid.UUID:
    from tenantry.agreements.customer.service import accept

    customer = world.direct_customer
    await in_the_us(database, customer)
    await hold_prefix(database, customer.organization, prefix)
    async with database.transaction() as session:
        await accept(session, customer.actor, client, first_name="Ada", last_name="Admin",
                     email="ada@example.com", phone=None)  # fmt: skip
    return await paid_order(database, world, customer)


async def test_a_new_tenant_microsoft_is_still_setting_up_is_waited_for(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker,
    partner_center: PartnerCenterClient,
) -> None:  # fmt: skip
    await sqlite_sandbox.control("PUT", "/new-customers", json={"readyAfterSeconds": 600})
    order_id = await new_tenant_order(database, world, partner_center, "slowtenant")

    await worker.run_due()

    waiting = await order_of(database, order_id)
    assert waiting.status is OrderStatus.PROVISIONING
    progress = await progress_of(database, order_id)
    assert progress.waiting_reason == "Microsoft is still setting up the new tenant"
    assert progress.next_attempt_at is not None
    await sqlite_sandbox.control("POST", "/clock", json={"advanceSeconds": 601})
    order = await worker.settle(order_id)
    assert order.status is OrderStatus.COMPLETED, order.failure_message


async def test_a_new_tenant_unknown_for_too_long_fails_the_order_as_not_ready(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker,
    partner_center: PartnerCenterClient,
) -> None:  # fmt: skip
    await sqlite_sandbox.control("PUT", "/new-customers", json={"readyAfterSeconds": 86400})
    order_id = await new_tenant_order(database, world, partner_center, "stucktenant")
    await worker.run_due()
    minutes = 31
    async with database.transaction() as session:
        await session.execute(
            update(MicrosoftTenant).values(linked_at=utcnow() - timedelta(minutes=minutes))
        )

    order = await worker.settle(order_id)

    await failed_with(order, refusals.TENANT_NOT_READY, "stucktenant.onmicrosoft.com",
                      "Retry the order later")  # fmt: skip


async def test_a_reseller_outside_the_distributors_network_fails_the_new_tenant_order(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker
) -> None:
    customer = world.customer_b  # Beta Reseller is not in the network
    await in_the_us(database, customer)
    await hold_prefix(database, customer.organization, "betanew")
    order_id = await paid_order(database, world, customer)

    order = await worker.settle(order_id)

    await failed_with(order, refusals.RESELLER_NOT_ACCEPTED, "Beta Reseller")
    async with database.transaction(write=False) as session:
        organization = await session.get_one(Organization, customer.organization.id)
    assert organization.tenant_id is None


async def test_a_failed_order_retried_once_the_agreement_is_signed_completes(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker
) -> None:
    tenant_id = await with_existing_tenant(database, sqlite_sandbox, world.direct_customer,
                                           mca=False)  # fmt: skip
    order_id = await paid_order(database, world, world.direct_customer)
    await failed_with(await worker.settle(order_id), refusals.AGREEMENT_MISSING)
    await sqlite_sandbox.control("PUT", f"/customers/{tenant_id}/mca", json={"directSigned": True})

    async with database.transaction() as session:
        order = await flow.lock(session, order_id)
        await flow.retry(session, world.platform.actor, order)
    order = await worker.settle(order_id)

    assert order.status is OrderStatus.COMPLETED, order.failure_message
    progress = await progress_of(database, order_id)
    assert progress.round == 2 and len(progress.partner_center_order_ids) == 1


async def test_an_order_microsoft_never_finishes_fails_and_its_retry_buys_nothing_more(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker
) -> None:
    tenant_id = await with_existing_tenant(database, sqlite_sandbox, world.direct_customer)
    await sqlite_sandbox.control("PUT", "/provisioning", json={"polls": 1000})
    before = await sandbox_orders(sqlite_sandbox, tenant_id)
    order_id = await paid_order(database, world, world.direct_customer)
    await worker.run_due()
    progress = await progress_of(database, order_id)
    assert progress.waiting_reason == "Microsoft is provisioning the order"
    async with database.transaction() as session:
        await session.execute(
            update(OrderProvisioning).values(checked_out_at=utcnow() - timedelta(hours=25))
        )

    await failed_with(await worker.settle(order_id), refusals.PROVISIONING_FAILED,
                      "24 hours", "buys nothing more")  # fmt: skip
    await sqlite_sandbox.control("POST", "/orders/complete")
    async with database.transaction() as session:
        order = await flow.lock(session, order_id)
        await flow.retry(session, world.platform.actor, order)
    order = await worker.settle(order_id)

    assert order.status is OrderStatus.COMPLETED, order.failure_message
    assert len(await sandbox_orders(sqlite_sandbox, tenant_id)) == len(before) + 1
