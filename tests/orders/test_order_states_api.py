"""Every move of an order over the API, and who may make it: placed -> paid (the seller's staff,
with a reference) -> provisioning -> completed, or failed with its reason -> retried -> paid
again, or cancelled; a move its state does not allow is a 409 saying where the order stands."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tenantry.db import Database
from tenantry.models import OrderStatus
from tenantry.orders import flow
from tests.factories import World
from tests.orders.support import (
    act,
    audit_actions,
    emails_about,
    events,
    order_of,
    placed,
    provision_jobs,
    ready_to_order,
    timeline_rows,
)


@pytest.fixture(autouse=True)
async def alpha_is_ready(database: Database, world: World) -> None:
    await ready_to_order(database, world.customer_a.id)


async def provisioning_job(database: Database, order_id: str, *, fail: str | None = None) -> None:
    """What the provisioning job does with a paid order: take it, then complete or fail it."""
    async with database.transaction() as session:
        order = await flow.lock(session, uuid.UUID(order_id))
        await flow.start_provisioning(session, order)
        await flow.start_provisioning(session, order)  # a resumed job changes nothing
        if fail:
            await flow.fail(session, order, fail, "Microsoft refused the quantity: lower it.")
        else:
            await flow.complete(session, order)


async def test_an_order_placed_waits_for_payment_and_nothing_is_queued_for_microsoft(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    order_id = await placed(client, world.customer_a.headers)
    read = (await client.get(f"/api/v1/orders/{order_id}", headers=world.customer_a.headers)).json()
    assert read["status"] == "pending_payment"
    assert read["status_text"] == "waiting for payment"
    assert read["payment"]["required"] is True
    assert (
        "Alpha Reseller invoices this order (EUR 16.92 for the first billing period)"
        in read["payment"]["instructions"]
    )
    assert [e["event"] for e in read["timeline"]] == ["placed"]
    assert read["actions"] == ["cancel"]  # the customer: no way to pay online with invoices
    assert await provision_jobs(database, order_id) == []
    assert await audit_actions(database, order_id) == ["order.submitted"]
    subjects = {subject for _, subject in await emails_about(database, order_id)}
    assert subjects == {f"Order {order_id[:8].upper()} for Alpha Customer waits for payment"}
    seller = await client.get(f"/api/v1/orders/{order_id}", headers=world.reseller_a.headers)
    assert seller.json()["actions"] == ["mark_paid", "cancel"]


async def test_the_sellers_staff_mark_it_paid_and_it_is_handed_to_provisioning_once(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    order_id = await placed(client, world.customer_a.headers)
    paid = await act(
        client, world.reseller_a.headers, order_id, "mark-paid", {"reference": "INV-7"}
    )
    assert paid.status_code == 200, paid.text
    body = paid.json()
    assert (body["status"], body["payment"]["provider"], body["payment"]["reference"]) == (
        "paid",
        "manual",
        "INV-7",
    )
    assert body["status_text"] == "paid, waiting for provisioning"
    again = await act(
        client, world.reseller_a.headers, order_id, "mark-paid", {"reference": "INV-7"}
    )
    assert again.status_code == 409
    assert again.json()["reason"] == "order_state"
    assert "the order is paid, waiting for provisioning; it cannot be marked paid now" in again.text
    jobs = await provision_jobs(database, order_id)
    assert [job.idempotency_key for job in jobs] == [f"orders.provision:{order_id}:1"]
    assert await audit_actions(database, order_id) == ["order.submitted", "order.paid"]
    rows = await timeline_rows(database, order_id)
    assert (rows[-1].from_status, rows[-1].to_status) == (
        OrderStatus.PENDING_PAYMENT,
        OrderStatus.PAID,
    )
    assert rows[-1].details == {"provider": "manual", "reference": "INV-7"}
    emails = await emails_about(database, order_id)
    assert emails[-1][1] == f"Order {order_id[:8].upper()} for Alpha Customer is paid"


async def test_only_the_customers_own_seller_marks_it_paid(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    order_id = await placed(client, world.customer_a.headers)
    body = {"reference": "INV-1"}
    customer = await act(client, world.customer_a.headers, order_id, "mark-paid", body)
    assert customer.status_code == 403
    platform = await act(client, world.platform.headers, order_id, "mark-paid", body)
    assert platform.status_code == 403
    assert "only the staff of Alpha Customer's seller mark its orders paid" in platform.text
    other_reseller = await act(client, world.reseller_b.headers, order_id, "mark-paid", body)
    assert other_reseller.status_code == 404
    blank = await act(client, world.reseller_a.headers, order_id, "mark-paid", {"reference": ""})
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "reference"
    assert (await order_of(database, order_id)).status is OrderStatus.PENDING_PAYMENT


async def test_provisioning_completes_a_paid_order(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    order_id = await placed(client, world.customer_a.headers)
    await act(client, world.reseller_a.headers, order_id, "mark-paid", {"reference": "INV-2"})
    await provisioning_job(database, order_id)
    read = (await client.get(f"/api/v1/orders/{order_id}", headers=world.customer_a.headers)).json()
    assert read["status"] == "completed" and read["actions"] == []
    assert [e["event"] for e in read["timeline"]] == [
        "placed",
        "paid",
        "provisioning_started",
        "completed",
    ]
    assert [e["by"] for e in read["timeline"]][2:] == ["system", "system"]
    cancel = await act(client, world.reseller_a.headers, order_id, "cancel")
    assert cancel.status_code == 409 and "the order is completed" in cancel.text


async def test_a_failed_order_says_why_and_staff_retry_it_as_a_new_attempt(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    order_id = await placed(client, world.customer_a.headers)
    await act(client, world.reseller_a.headers, order_id, "mark-paid", {"reference": "INV-3"})
    await provisioning_job(database, order_id, fail="quantity_limit")
    customer = (
        await client.get(f"/api/v1/orders/{order_id}", headers=world.customer_a.headers)
    ).json()
    assert customer["status"] == "failed"
    assert customer["failure"]["code"] == "quantity_limit"
    assert customer["failure"]["message"] == "Microsoft refused the quantity: lower it."
    assert customer["failure"]["what_to_do"] == (
        "Alpha Reseller was told and retries the order once the cause is fixed."
    )
    assert customer["actions"] == []
    assert (await act(client, world.customer_a.headers, order_id, "retry")).status_code == 403
    assert (await act(client, world.customer_a.headers, order_id, "cancel")).status_code == 403

    retried = await act(client, world.platform.headers, order_id, "retry")
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "paid"
    assert retried.json()["provisioning_attempts"] == 2
    keys = [job.idempotency_key for job in await provision_jobs(database, order_id)]
    assert keys == [f"orders.provision:{order_id}:1", f"orders.provision:{order_id}:2"]
    assert (await act(client, world.platform.headers, order_id, "retry")).status_code == 409
    assert await events(database, order_id) == [
        "placed",
        "paid",
        "provisioning_started",
        "failed",
        "retried",
    ]


async def test_staff_cancel_a_failed_order_and_the_customer_one_waiting_for_payment(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    failed = await placed(client, world.customer_a.headers)
    await act(client, world.reseller_a.headers, failed, "mark-paid", {"reference": "INV-4"})
    await provisioning_job(database, failed, fail="tenant_not_ready")
    staff = await act(client, world.reseller_a.headers, failed, "cancel", {"reason": "Not needed"})
    assert staff.status_code == 200 and staff.json()["status"] == "cancelled"
    assert staff.json()["timeline"][-1]["message"] == "Not needed"

    waiting = await placed(client, world.customer_a.headers)
    mine = await act(client, world.customer_a.headers, waiting, "cancel")
    assert mine.status_code == 200 and mine.json()["status"] == "cancelled"
    late = await act(client, world.reseller_a.headers, waiting, "mark-paid", {"reference": "X"})
    assert late.status_code == 409 and late.json()["status_now"] == "cancelled"
    assert await audit_actions(database, waiting) == ["order.submitted", "order.cancelled"]


async def test_a_paid_order_cannot_be_cancelled_or_failed_twice(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    order_id = await placed(client, world.customer_a.headers)
    await act(client, world.reseller_a.headers, order_id, "mark-paid", {"reference": "INV-5"})
    assert (await act(client, world.reseller_a.headers, order_id, "cancel")).status_code == 409
    await provisioning_job(database, order_id, fail="agreement_missing")
    async with database.transaction() as session:
        order = await flow.lock(session, uuid.UUID(order_id))
        with pytest.raises(flow.OrderStateConflict):
            await flow.fail(session, order, "again", "twice")
        with pytest.raises(flow.OrderStateConflict):
            await flow.complete(session, order)
        with pytest.raises(flow.OrderStateConflict):
            await flow.start_provisioning(session, order)
