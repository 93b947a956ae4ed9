"""Partner Center throttling, failing or unreachable: the order stays where it is and the job
comes back later (no sooner than Retry-After); a lost answer is asked again with the same
request id and buys once; unreachable for too long, the order fails saying nothing was bought."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tenantry.db import Database
from tenantry.models import OrderStatus
from tenantry.orders.provisioning import refusals
from tests.factories import World
from tests.orders.provisioning.conftest import (
    Worker,
    age_waiting,
    order_of,
    paid_order,
    progress_of,
    sandbox_orders,
    with_existing_tenant,
)
from tests.sandbox.conftest import Sandbox

pytestmark = pytest.mark.usefixtures("network", "app")

CARTS = "/v1/customers/*/carts"
CHECKOUT = "/v1/customers/*/carts/*/checkout"


async def faults(sandbox: Sandbox, *rules: dict[str, Any]) -> None:
    await sandbox.control("PUT", "/faults", json={"seed": 7, "rules": list(rules)})


async def test_throttled_the_order_waits_at_least_retry_after_and_then_completes(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker,
    client: httpx.AsyncClient,
) -> None:  # fmt: skip
    tenant_id = await with_existing_tenant(database, sqlite_sandbox, world.direct_customer)
    before = await sandbox_orders(sqlite_sandbox, tenant_id)
    await faults(sqlite_sandbox, {"kind": "throttle", "path": CARTS, "methods": ["POST"],
                                  "retryAfter": 90, "times": 1})  # fmt: skip
    order_id = await paid_order(database, world, world.direct_customer)

    await worker.run_due()

    waiting = await order_of(database, order_id)
    assert waiting.status is OrderStatus.PROVISIONING
    progress = await progress_of(database, order_id)
    assert progress.waiting_reason == "Partner Center is throttling Tenantry's requests"
    assert progress.cart_id is None and progress.next_attempt_at is not None
    assert (progress.next_attempt_at - progress.updated_at).total_seconds() >= 89
    seen = await client.get(f"/api/v1/orders/{order_id}/provisioning",
                            headers=world.direct_customer.headers)  # fmt: skip
    assert seen.json()["summary"].startswith(
        "Putting the order in a Partner Center cart: waiting (Partner Center is throttling "
        "Tenantry's requests); next try at "
    )
    page = await client.get(f"/orders/{order_id}", headers=world.direct_customer.headers)
    assert page.status_code == 200, page.text
    assert "With Microsoft" in page.text and "Partner Center is throttling" in page.text
    order = await worker.settle(order_id)
    assert order.status is OrderStatus.COMPLETED, order.failure_message
    assert len(await sandbox_orders(sqlite_sandbox, tenant_id)) == len(before) + 1
    assert (await progress_of(database, order_id)).waiting_reason is None


async def test_partner_center_failing_at_checkout_is_waited_out_and_buys_once(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker
) -> None:
    tenant_id = await with_existing_tenant(database, sqlite_sandbox, world.direct_customer)
    before = await sandbox_orders(sqlite_sandbox, tenant_id)
    await faults(sqlite_sandbox, {"kind": "error", "status": 503, "path": CHECKOUT, "times": 4})
    order_id = await paid_order(database, world, world.direct_customer)

    for _ in range(4):
        await worker.run_due()
        if (await progress_of(database, order_id)).waiting_reason:
            break
    progress = await progress_of(database, order_id)
    assert progress.waiting_reason == "Partner Center answered with an error of its own (HTTP 503)"
    assert (await order_of(database, order_id)).status is OrderStatus.PROVISIONING
    order = await worker.settle(order_id)

    assert order.status is OrderStatus.COMPLETED, order.failure_message
    assert len(await sandbox_orders(sqlite_sandbox, tenant_id)) == len(before) + 1


async def test_a_lost_checkout_answer_is_asked_again_and_buys_once(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker
) -> None:
    tenant_id = await with_existing_tenant(database, sqlite_sandbox, world.direct_customer)
    before = await sandbox_orders(sqlite_sandbox, tenant_id)
    # Partner Center checks the cart out, and the answer never arrives, three times over.
    await faults(sqlite_sandbox, {"kind": "disconnect", "afterResponse": True, "path": CHECKOUT,
                                  "times": 3})  # fmt: skip
    order_id = await paid_order(database, world, world.direct_customer)

    order = await worker.settle(order_id)

    assert order.status is OrderStatus.COMPLETED, order.failure_message
    after = await sandbox_orders(sqlite_sandbox, tenant_id)
    assert len(after) == len(before) + 1
    assert (await progress_of(database, order_id)).partner_center_order_ids == [after[-1]["id"]]


async def test_unreachable_for_longer_than_the_limit_the_order_fails_saying_nothing_was_bought(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker
) -> None:
    tenant_id = await with_existing_tenant(database, sqlite_sandbox, world.direct_customer)
    before = await sandbox_orders(sqlite_sandbox, tenant_id)
    await faults(sqlite_sandbox, {"kind": "error", "status": 503, "path": CARTS})
    order_id = await paid_order(database, world, world.direct_customer)
    await worker.run_due()
    assert (await order_of(database, order_id)).status is OrderStatus.PROVISIONING

    await age_waiting(database, order_id, hours=25)
    order = await worker.settle(order_id)

    assert order.status is OrderStatus.FAILED
    assert order.failure_code == refusals.PARTNER_CENTER_UNREACHABLE
    assert "for 24 hours" in (order.failure_message or "")
    assert "Nothing was bought" in (order.failure_message or "")
    await sqlite_sandbox.control("DELETE", "/faults")
    assert (await progress_of(database, order_id)).cart_id is None
    assert await sandbox_orders(sqlite_sandbox, tenant_id) == before


async def test_a_checkout_partner_center_no_longer_replays_is_found_among_the_customers_orders(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker
) -> None:
    tenant_id = await with_existing_tenant(database, sqlite_sandbox, world.direct_customer)
    before = await sandbox_orders(sqlite_sandbox, tenant_id)
    await faults(sqlite_sandbox, {"kind": "disconnect", "afterResponse": True, "path": CHECKOUT,
                                  "times": 3})  # fmt: skip
    order_id = await paid_order(database, world, world.direct_customer)
    for _ in range(4):
        await worker.run_due()
        if (await progress_of(database, order_id)).waiting_reason:
            break
    assert (await progress_of(database, order_id)).partner_center_order_ids == []
    # Past the day Partner Center keeps answers: the repeat is told the cart was checked out.
    ttl = sqlite_sandbox.settings.idempotency_ttl_seconds
    await sqlite_sandbox.control("POST", "/clock", json={"advanceSeconds": ttl + 60})
    sqlite_sandbox._tokens.clear()  # the test's own tokens expired with the day

    order = await worker.settle(order_id)

    assert order.status is OrderStatus.COMPLETED, order.failure_message
    after = await sandbox_orders(sqlite_sandbox, tenant_id)
    assert len(after) == len(before) + 1
    assert (await progress_of(database, order_id)).partner_center_order_ids == [after[-1]["id"]]
