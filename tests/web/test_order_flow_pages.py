"""Orders on pages: a customer places an order and sees how to pay, its seller's staff mark it
paid with a reference, both read the timeline; a seller orders for a customer, who confirms it;
a failed order says why and what to do, and staff retry it; the platform sets who skips
payment."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from tenantry.db import Database
from tenantry.models import Order, OrderStatus, Segment, organization_segments
from tenantry.orders import flow
from tests.factories import World
from tests.orders.support import ready_to_order
from tests.web.conftest import People, post_form, sign_in
from tests.web.html import Page

OFFER = "CFQ7TTC0LH18-0001"


@pytest.fixture(autouse=True)
async def alpha_is_ready(database: Database, world: World) -> None:
    await ready_to_order(database, world.customer_a.id)


def browser(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def main(response: httpx.Response) -> str:
    assert response.status_code in (200, 403, 409, 422), response.text
    return " ".join(Page(response.text).by_id("main").text.split())


def timeline(response: httpx.Response) -> list[str]:
    return [
        " ".join(cell.text.split()) for cell in Page(response.text).find_all("td", class_="event")
    ]


async def place_from_cart(client: httpx.AsyncClient) -> str:
    await post_form(client, "/cart/add", {"offer": OFFER, "term": "P1Y", "quantity": "3"})
    cart = await client.get("/cart")
    assert "Review" in main(cart) and "Its page says how to pay" in main(cart)
    key = Page(cart.text).field("checkout_key")["value"]
    placed = await post_form(client, "/checkout", {"checkout_key": key})
    assert placed.status_code == 303, placed.text
    return str(placed.headers["location"])


async def test_a_customer_places_an_order_and_its_seller_marks_it_paid(
    client: httpx.AsyncClient, app: FastAPI, database: Database, people: People
) -> None:
    await sign_in(client, people.customer_admin.email)
    path = await place_from_cart(client)
    page = await client.get(path)
    text = main(page)
    assert "It is waiting for payment; nothing is sent to Microsoft before it is paid." in text
    assert (
        "How to pay Alpha Reseller invoices this order (EUR 16.92 for the first billing period)."
        in text
    )
    assert "Mark paid" not in text
    assert timeline(page) == ["Placed"]
    listed = main(await client.get("/orders"))
    assert "Alpha Customer Pending payment EUR 16.92" in listed

    async with browser(app) as seller:
        await sign_in(seller, people.reseller_admin.email)
        assert "Mark paid" in main(await seller.get(path))
        blank = await post_form(seller, f"{path}/mark-paid", {"reference": ""})
        assert blank.status_code == 422
        assert "enter the payment's reference" in main(blank)
        paid = await post_form(seller, f"{path}/mark-paid", {"reference": "INV-2026-17"})
        assert paid.status_code == 303 and paid.headers["location"] == f"{path}?done=paid"
        after = await seller.get(paid.headers["location"])
        assert "The order is marked paid." in main(after)
        assert "Paid on" in main(after) and "reference INV-2026-17" in main(after)
        assert timeline(after) == ["Placed", "Paid"]

    text = main(await client.get(path))
    assert "It is paid and waits for provisioning with Microsoft." in text
    async with database.transaction(write=False) as session:
        order = await session.get(Order, uuid.UUID(path.rsplit("/", 1)[1]))
        assert order is not None and order.status is OrderStatus.PAID


async def test_a_seller_orders_for_a_customer_who_confirms_it(
    client: httpx.AsyncClient, app: FastAPI, world: World, people: People
) -> None:
    await sign_in(client, people.reseller_admin.email)
    choose = await client.get("/orders/new")
    assert "Alpha Customer" in main(choose) and "Beta Customer" not in main(choose)
    form = await client.get(f"/orders/new?organization_id={world.customer_a.id}")
    key = Page(form.text).field("order_key")["value"]
    data = {"organization_id": str(world.customer_a.id), "order_key": key,
            f"quantity-{OFFER}": "2", f"term-{OFFER}": "P1M"}  # fmt: skip
    refused = await post_form(client, "/orders/new", data | {f"quantity-{OFFER}": "two"})
    assert refused.status_code == 422, refused.text
    assert "Licenses of Microsoft 365 Business Basic: Enter a whole number." in main(refused)
    placed = await post_form(client, "/orders/new", data)
    assert placed.status_code == 303, placed.text
    path = placed.headers["location"]
    again = await post_form(client, "/orders/new", data)
    assert again.headers["location"] == path
    assert "It waits for Alpha Customer to confirm it" in main(await client.get(path))

    async with browser(app) as customer:
        await sign_in(customer, people.customer_admin.email)
        assert "(confirm it)" in main(await customer.get("/orders"))
        confirmed = await post_form(customer, f"{path}/confirm")
        assert confirmed.status_code == 303
        page = await customer.get(confirmed.headers["location"])
        assert "You confirmed the order." in main(page)
        assert timeline(page) == ["Placed", "Confirmed by the customer"]
        assert "How to pay" in main(page)


async def test_a_failed_order_says_why_and_staff_retry_it(
    client: httpx.AsyncClient, app: FastAPI, database: Database, people: People
) -> None:
    await sign_in(client, people.customer_admin.email)
    path = await place_from_cart(client)
    order_id = uuid.UUID(path.rsplit("/", 1)[1])
    async with database.transaction() as session:
        order = await flow.lock(session, order_id)
        await flow.mark_paid(session, None, order, provider="manual", reference="R")
        await flow.start_provisioning(session, order)
        await flow.fail(
            session, order, "tenant_not_ready", "Microsoft has not finished the tenant."
        )
    text = main(await client.get(path))
    assert "Why it failed Microsoft has not finished the tenant." in text
    assert "What to do: Alpha Reseller was told and retries the order" in text
    assert "Retry" not in text
    async with browser(app) as seller:
        await sign_in(seller, people.reseller_admin.email)
        assert "What to do: Fix what the reason names, then retry the order" in main(
            await seller.get(path)
        )
        retried = await post_form(seller, f"{path}/retry")
        assert retried.status_code == 303
        assert "The order is handed to provisioning again." in main(
            await seller.get(retried.headers["location"])
        )


async def test_the_platform_lets_a_segment_skip_payment(
    client: httpx.AsyncClient, database: Database, world: World, people: People
) -> None:
    async with database.transaction() as session:
        segment = Segment(platform_id=world.platform.id, name="Trusted")
        session.add(segment)
        await session.flush()
        await session.execute(organization_segments.insert().values(
            organization_id=world.customer_a.id, segment_id=segment.id))  # fmt: skip
        segment_id = str(segment.id)
    await sign_in(client, people.platform_admin.email)
    assert "Payment settings" in main(await client.get("/orders"))
    saved = await post_form(
        client, "/orders/payment-settings", {"segment_id": segment_id, "skip": "yes"}
    )
    assert saved.status_code == 303
    page = main(await client.get(saved.headers["location"]))
    assert "Trusted Skip payment" in page
    customer = await post_form(client, "/orders/payment-settings",
                               {"organization_id": str(world.customer_a.id), "choice": "pay"})  # fmt: skip
    assert "Alpha Customer: pays first, whatever its segments say" in main(
        await client.get(customer.headers["location"])
    )


async def test_only_the_platform_admin_opens_the_payment_settings(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.reseller_admin.email)
    assert (await client.get("/orders/payment-settings")).status_code == 403
    assert "Payment settings" not in main(await client.get("/orders"))


async def test_the_orders_list_filters_by_state(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    await sign_in(client, people.customer_admin.email)
    await place_from_cart(client)
    assert "Pending payment" in main(await client.get("/orders?status=pending_payment"))
    assert "No orders match these filters" in main(await client.get("/orders?status=completed"))
    bad = main(await client.get("/orders?placed_from=yesterday"))
    assert "Placed from: enter a date as YYYY-MM-DD" in bad
    async with database.transaction(write=False) as session:
        assert len(list(await session.scalars(select(Order)))) == 1
