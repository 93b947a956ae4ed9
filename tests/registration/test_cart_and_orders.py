"""The storefront, the cart and the checkout: anyone browses, a registered customer fills its
cart, and it orders once its seller approved it and its address is confirmed."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import AuditEvent, Order, OrganizationStatus
from tests.agreements.accepted import agreement_accepted
from tests.factories import World
from tests.notifications.local_smtp import LocalSmtpServer
from tests.registration.conftest import (
    deliver,
    form_token,
    hidden,
    mails_to,
    register_organization,
    registered,
    sign_up,
    text_of,
    verify_email_directly,
)

OFFER = "CFQ7TTC0LH18-0001"


async def add_to_cart(
    client: httpx.AsyncClient, quantity: str = "5", term: str = "P1Y"
) -> httpx.Response:
    offer = await client.get(f"/store/offers/{OFFER}")
    return await client.post(
        "/cart/add",
        data={"csrf_token": form_token(offer), "offer": OFFER, "term": term, "quantity": quantity},
    )


async def place_order(client: httpx.AsyncClient, key: str | None = None) -> httpx.Response:
    cart = await client.get("/cart")
    return await client.post(
        "/checkout",
        data={"csrf_token": form_token(cart), "checkout_key": key or hidden(cart, "checkout_key")},
    )


async def approve(client: httpx.AsyncClient, world: World, organization_id: str) -> httpx.Response:
    return await client.post(
        f"/api/v1/organizations/{organization_id}/approve", headers=world.platform.headers
    )


async def test_anyone_browses_the_store_and_buy_now_offers_log_in_or_register(
    client: httpx.AsyncClient,
) -> None:
    store = await client.get("/store")
    assert store.status_code == 200
    assert "Northwind Distribution A/S store" in text_of(store)
    assert "Microsoft 365 Business Basic" in text_of(store)
    assert "EUR 5.64 per license per month" in text_of(store)  # the platform's currency

    offer = await client.get(f"/store/offers/{OFFER}")
    assert 'href="/store/offers/CFQ7TTC0LH18-0001/buy"' in offer.text
    buy = await client.get(f"/store/offers/{OFFER}/buy")
    assert 'href="/sign-in?next=/store/offers/CFQ7TTC0LH18-0001"' in buy.text
    assert 'href="/register?next=/store/offers/CFQ7TTC0LH18-0001"' in buy.text
    assert (await client.get("/store/offers/NOPE-0001")).status_code == 404


async def test_a_pending_customer_fills_its_cart_but_orders_only_once_approved_and_confirmed(
    client: httpx.AsyncClient, database: Database, world: World, job_queue: JobQueue,
    smtp_server: LocalSmtpServer,
) -> None:  # fmt: skip
    await sign_up(client)
    await register_organization(client)
    added = await add_to_cart(client)
    assert added.status_code == 303
    cart = await client.get(added.headers["location"])
    page = text_of(cart)
    assert "Microsoft 365 Business Basic" in page and "EUR 28.20" in page  # 5 x 5.64
    assert "waiting for approval by Northwind Distribution A/S" in page
    assert "Confirm your email address erin@fabrikam.example first" in page
    assert re.search(r'<button type="submit" class="primary" disabled', cart.text)

    refused = await place_order(client)
    assert refused.status_code == 409
    assert "waiting for approval" in text_of(refused)

    organization = await registered(database)
    assert organization is not None
    await agreement_accepted(database, organization.id)
    assert (await approve(client, world, str(organization.id))).status_code == 200
    await deliver(job_queue)
    assert mails_to(smtp_server, "erin@fabrikam.example")[-1] == "Fabrikam ApS is approved"

    unverified = await place_order(client)
    assert unverified.status_code == 403
    assert "Confirm your email address" in text_of(unverified)

    await verify_email_directly(database, "erin@fabrikam.example")
    cart = await client.get("/cart")
    assert "Choose the Microsoft tenant for this order in Service Details" in text_of(cart)
    assert 'href="/service-details">Continue to Service Details' in cart.text
    step = await client.get("/service-details")
    assert "I am already using Microsoft 365 and I own this domain" in text_of(step)
    chosen = await client.post(
        "/service-details",
        data={"csrf_token": form_token(step), "choice": "new", "domain_prefix": "FabrikamApS"},
    )
    assert chosen.status_code == 303, chosen.text
    step = await client.get("/service-details")
    assert "Tenantry keeps the name fabrikamaps.onmicrosoft.com for this order" in text_of(step)
    cart = await client.get("/cart")
    key = hidden(cart, "checkout_key")
    placed = await place_order(client, key)
    assert placed.status_code == 303
    order_page = await client.get(placed.headers["location"])
    assert "Order placed" in text_of(order_page)
    placed_text = text_of(order_page)
    assert "1-year term, billed monthly" in placed_text and "P1Y" not in placed_text
    assert "EUR 28.20" in placed_text
    assert (await place_order(client, key)).headers["location"] == placed.headers["location"]

    async with database.transaction() as session:
        orders = (await session.execute(select(Order))).scalars().all()
        submitted = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "order.submitted")
        )
    assert len(orders) == 1 and orders[0].lines[0]["quantity"] == 5
    assert submitted == 1
    assert "Your cart is empty" in text_of(await client.get("/cart"))
    listed = text_of(await client.get("/orders"))
    assert "Fabrikam ApS Pending payment EUR 28.20" in listed


async def test_a_rejected_registrant_is_told_why(
    client: httpx.AsyncClient, database: Database, world: World, job_queue: JobQueue,
    smtp_server: LocalSmtpServer,
) -> None:  # fmt: skip
    await sign_up(client)
    await register_organization(client)
    organization = await registered(database)
    assert organization is not None
    response = await client.post(
        f"/api/v1/organizations/{organization.id}/reject",
        headers=world.platform.headers, json={"reason": "We only sell to schools"},
    )  # fmt: skip
    assert response.status_code == 200
    await deliver(job_queue)
    mail = next(
        m for m in smtp_server.mailbox.received if m.subject == "Fabrikam ApS was not approved"
    )
    assert "We only sell to schools" in mail.part("plain")
    assert organization.status is OrganizationStatus.PENDING_APPROVAL  # as it was when read


async def test_quantities_outside_the_offer_are_refused_by_name(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    await register_organization(client)
    response = await add_to_cart(client, quantity="301")
    assert response.status_code == 422
    assert "Licenses: Microsoft 365 Business Basic is sold in quantities of 1 to 300" in text_of(
        response
    )
    assert (await add_to_cart(client, quantity="many")).status_code == 422


async def test_an_order_of_another_customer_is_not_found(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    async with database.transaction() as session:
        other = Order(
            platform_id=world.platform.id, organization_id=world.customer_b.id,
            status="pending_payment", currency="EUR", total=0, lines=[],
        )  # fmt: skip
        session.add(other)
    await sign_up(client)
    await register_organization(client)
    assert (await client.get(f"/orders/{other.id}")).status_code == 404
