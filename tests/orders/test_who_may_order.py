"""Who may order: a customer's admins fill the cart and place orders; a customer user only looks;
sellers order for a customer only while acting for it (docs/roles.md, "Who orders")."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.models import CartItem, Order, Organization, Role
from tests.factories import World
from tests.identity.factories import bearer, make_api_token, make_person, sign_in
from tests.web.html import Page

OFFER = "CFQ7TTC0LH18-0001"  # its slug; stored as its id, CFQ7TTC0LH18:0001
OFFER_ID = "CFQ7TTC0LH18:0001"
CART_FORMS = ('action="/cart/add"', 'action="/cart/change"', 'action="/checkout"')


async def signed_in(database: Database, organization: Organization, role: Role) -> dict[str, str]:
    """Cookie and CSRF headers of a person with ``role`` in ``organization``."""
    async with database.transaction() as session:
        person = await make_person(session, organization, role)
        return await sign_in(session, person, organization)


async def cart_lines(database: Database) -> list[tuple[str, int]]:
    async with database.transaction(write=False) as session:
        rows = await session.execute(select(CartItem.offer_id, CartItem.quantity))
        return [(offer, quantity) for offer, quantity in rows]


async def order_count(database: Database) -> int:
    async with database.transaction(write=False) as session:
        return await session.scalar(select(func.count()).select_from(Order)) or 0


def add(quantity: str = "5") -> dict[str, str]:
    return {"offer": OFFER, "term": "P1Y", "quantity": quantity}


def main_text(response: httpx.Response) -> str:
    return " ".join(Page(response.text).by_id("main").text.split())


@pytest.fixture
async def admin(database: Database, world: World) -> dict[str, str]:
    return await signed_in(database, world.customer_a.organization, Role.CUSTOMER_ADMIN)


@pytest.fixture
async def reader(database: Database, world: World) -> dict[str, str]:
    return await signed_in(database, world.customer_a.organization, Role.CUSTOMER_USER)


async def test_an_admin_fills_the_cart_and_sees_every_form(
    client: httpx.AsyncClient, database: Database, admin: dict[str, str]
) -> None:
    offer = await client.get(f"/store/offers/{OFFER}", headers=admin)
    assert 'action="/cart/add"' in offer.text and "Buy Now" in offer.text

    added = await client.post("/cart/add", data=add(), headers=admin)
    assert added.status_code == 303
    cart = await client.get("/cart", headers=admin)
    assert 'action="/cart/change"' in cart.text and 'action="/checkout"' in cart.text
    assert await cart_lines(database) == [(OFFER_ID, 5)]


async def test_a_customer_user_is_refused_every_cart_and_order_route(
    client: httpx.AsyncClient, database: Database, admin: dict[str, str],
    reader: dict[str, str],
) -> None:  # fmt: skip
    assert (await client.post("/cart/add", data=add(), headers=admin)).status_code == 303
    tries = {
        "/cart/add": add("3"),
        "/cart/change": add("9") | {"action": "update"},
        "/checkout": {"checkout_key": "6f1c1a55-6f0a-4d8e-9a53-1f0c7bb7d6a4"},
    }
    for path, data in tries.items():
        refused = await client.post(path, data=data, headers=reader)
        assert refused.status_code == 403, (path, refused.text)
        assert "customer_user may not do this (orders.place)" in main_text(refused), path
    removed = await client.post("/cart/change", data=add() | {"action": "remove"}, headers=reader)
    assert removed.status_code == 403
    assert await cart_lines(database) == [(OFFER_ID, 5)]  # as the admin left it
    assert await order_count(database) == 0


async def test_a_customer_user_token_cannot_fill_the_cart(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    async with database.transaction() as session:
        _, secret = await make_api_token(session, world.customer_a.organization, Role.CUSTOMER_USER)
    refused = await client.post("/cart/add", data=add(), headers=bearer(secret))
    assert refused.status_code == 403
    assert "(orders.place)" in refused.text
    assert await cart_lines(database) == []


async def test_a_customer_user_sees_the_store_cart_and_orders_without_ways_to_order(
    client: httpx.AsyncClient, admin: dict[str, str], reader: dict[str, str]
) -> None:
    assert (await client.post("/cart/add", data=add(), headers=admin)).status_code == 303
    why = "can look at offers, the cart and orders, but not order"
    for path in ("/store", f"/store/offers/{OFFER}", "/cart", "/orders"):
        page = await client.get(path, headers=reader)
        assert page.status_code == 200, path
        assert "Buy Now" not in page.text, path
        assert not [form for form in CART_FORMS if form in page.text], path
        assert why in main_text(page), path
    cart = main_text(await client.get("/cart", headers=reader))
    assert "Microsoft 365 Business Basic" in cart and "EUR 28.20" in cart  # 5 x 5.64
    assert "Place order" not in cart and "Before you can order" not in cart


async def test_a_seller_has_no_cart_of_its_own_and_is_told_how_to_buy(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    seller = await signed_in(database, world.reseller_a.organization, Role.RESELLER_ADMIN)
    for response in (
        await client.post("/cart/add", data=add(), headers=seller),
        await client.get("/cart", headers=seller),
    ):
        assert response.status_code == 403
        assert "Open as this customer" in main_text(response)
    orders = await client.get("/orders", headers=seller)
    assert orders.status_code == 200
    assert "Open as this customer" in main_text(orders)
    store = await client.get("/store", headers=seller)
    assert "Buy Now" not in store.text and "See prices" in store.text
    assert await cart_lines(database) == []


async def test_seller_staff_fill_a_customers_cart_while_acting_for_it(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    staff = await signed_in(database, world.reseller_a.organization, Role.RESELLER_STAFF)
    opened = await client.post(f"/on-behalf/{world.customer_a.id}", headers=staff)
    assert opened.status_code == 303, opened.text

    offer = await client.get(f"/store/offers/{OFFER}", headers=staff)
    assert 'action="/cart/add"' in offer.text
    assert (await client.post("/cart/add", data=add(), headers=staff)).status_code == 303
    assert await cart_lines(database) == [(OFFER_ID, 5)]
