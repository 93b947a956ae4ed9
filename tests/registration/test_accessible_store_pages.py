"""The cart and the orders as a screen reader user meets them: every button says which line it
acts on, and every order page has a title of its own."""

from __future__ import annotations

import httpx

from tenantry.db import Database
from tenantry.models import Order
from tests.factories import World
from tests.registration.conftest import register_organization, registered, sign_up
from tests.registration.test_cart_and_orders import add_to_cart
from tests.web.html import Page

TITLE = "Microsoft 365 Business Basic"


async def test_cart_buttons_name_the_offer_they_change(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    await register_organization(client)
    assert (await add_to_cart(client)).status_code == 303
    page = Page((await client.get("/cart")).text)
    names = {b.text for b in page.find_all("button")}
    assert {f"Update licenses of {TITLE}", f"Remove {TITLE}"} <= names
    region = page.find("div", class_="table-scroll")
    assert (region["role"], region["aria-label"]) == ("region", "Cart")


async def test_each_order_page_has_its_own_title(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await sign_up(client)
    await register_organization(client)
    organization = await registered(database)
    assert organization is not None
    async with database.transaction() as session:
        orders = [
            Order(
                platform_id=world.platform.id,
                organization_id=organization.id,
                status="pending_payment",
                currency="EUR",
                total=0,
                lines=[],
            )
            for _ in range(2)
        ]
        session.add_all(orders)
    titles = {
        Page((await client.get(f"/orders/{order.id}")).text).find("title").text for order in orders
    }
    assert titles == {
        f"Order {str(order.id)[:8].upper()} of Fabrikam ApS · Tenantry" for order in orders
    }
