"""A seller ordering for a customer: its staff place the order, the customer confirms it once its
own steps are done (Service Details, agreement), then pays; the customer sees it in its orders."""

from __future__ import annotations

import httpx
import pytest

from tenantry.db import Database
from tests.factories import World
from tests.orders.support import act, emails_about, place, placed, ready_to_order


@pytest.fixture(autouse=True)
async def alpha_is_ready(database: Database, world: World) -> None:
    await ready_to_order(database, world.customer_a.id)


async def test_a_resellers_order_waits_for_the_customer_then_for_payment(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    order_id = await placed(
        client, world.reseller_a.headers, organization_id=str(world.customer_a.id)
    )
    seller_view = (
        await client.get(f"/api/v1/orders/{order_id}", headers=world.reseller_a.headers)
    ).json()
    assert seller_view["status"] == "awaiting_customer"
    assert seller_view["placed_by_organization_id"] == str(world.reseller_a.id)
    assert seller_view["actions"] == ["cancel"]
    assert (await act(client, world.reseller_a.headers, order_id, "confirm")).status_code == 403
    paid_early = await act(
        client, world.reseller_a.headers, order_id, "mark-paid", {"reference": "I"}
    )
    assert paid_early.status_code == 409

    listed = await client.get("/api/v1/orders", headers=world.customer_a.headers)
    customer_view = listed.json()["items"][0]
    assert customer_view["id"] == order_id and customer_view["actions"] == ["confirm", "cancel"]
    subjects = [subject for _, subject in await emails_about(database, order_id)]
    assert subjects[0] == f"Order {order_id[:8].upper()} for Alpha Customer waits for the customer"

    confirmed = await act(client, world.customer_a.headers, order_id, "confirm")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "pending_payment"
    assert [e["event"] for e in confirmed.json()["timeline"]] == ["placed", "customer_authorized"]
    assert "invoices this order" in confirmed.json()["payment"]["instructions"]
    again = await act(client, world.customer_a.headers, order_id, "confirm")
    assert again.status_code == 409 and again.json()["reason"] == "order_state"
    paid = await act(
        client, world.reseller_a.headers, order_id, "mark-paid", {"reference": "INV-9"}
    )
    assert paid.json()["status"] == "paid"


async def test_the_customer_confirms_only_once_its_service_details_are_done(
    client: httpx.AsyncClient, world: World
) -> None:
    # Direct Customer (the platform's) has no tenant yet: the platform's staff order for it.
    order_id = await placed(
        client, world.platform.headers, organization_id=str(world.direct_customer.id)
    )
    refused = await act(client, world.direct_customer.headers, order_id, "confirm")
    assert refused.status_code == 409
    assert refused.json()["reason"] == "service_details"
    seen = await client.get(f"/api/v1/orders/{order_id}", headers=world.direct_customer.headers)
    assert seen.json()["status"] == "awaiting_customer"


async def test_a_seller_orders_only_for_customers_it_serves(
    client: httpx.AsyncClient, world: World
) -> None:
    other = await place(client, world.reseller_a.headers, organization_id=str(world.customer_b.id))
    assert other.status_code == 404
    itself = await place(client, world.reseller_a.headers)
    assert itself.status_code == 403 and "only customers buy" in itself.text
    reseller = await place(client, world.platform.headers, organization_id=str(world.reseller_a.id))
    assert reseller.status_code == 403
    assert "Alpha Reseller is not a customer you serve" in reseller.text
    # The platform serves its resellers' customers too.
    by_platform = await place(
        client, world.platform.headers, organization_id=str(world.customer_a.id)
    )
    assert by_platform.status_code == 201 and by_platform.json()["status"] == "awaiting_customer"


async def test_a_seller_order_for_a_trusted_customer_is_paid_when_confirmed(
    client: httpx.AsyncClient, world: World
) -> None:
    await client.put(
        f"/api/v1/payment-settings/organizations/{world.customer_a.id}",
        json={"skip_payment": True}, headers=world.platform.headers,
    )  # fmt: skip
    order_id = await placed(
        client, world.reseller_a.headers, organization_id=str(world.customer_a.id)
    )
    confirmed = await act(client, world.customer_a.headers, order_id, "confirm")
    assert confirmed.json()["status"] == "paid"
    assert [e["event"] for e in confirmed.json()["timeline"]] == [
        "placed",
        "customer_authorized",
        "paid",
    ]
