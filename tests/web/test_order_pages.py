"""The cart and order pages: what stops an order looks like a warning next to a button that looks
unusable, the checkout's address leads to the cart, and an order page speaks to whoever reads it
without promising what Tenantry does not do yet."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tenantry.db import Database
from tenantry.models import Organization, User
from tests.agreements.accepted import agreement_accepted
from tests.factories import World, give_tenant
from tests.web.conftest import People, post_form, sign_in
from tests.web.html import Page
from tests.web.on_behalf_support import open_as

OFFER = "CFQ7TTC0LH18-0001"
CSS = Path(__file__).resolve().parents[2] / "src" / "tenantry" / "web" / "static" / "tenantry.css"
NOT_YET = "It is waiting for payment; nothing is sent to Microsoft before it is paid."


@pytest.fixture(autouse=True)
async def alpha_customer_holds_a_tenant(database: Database, world: World) -> None:
    """Alpha Customer's Service Details are done: it holds a Microsoft tenant, and its
    administrator accepted the Microsoft Customer Agreement."""
    async with database.transaction() as session:
        organization = await session.get(Organization, world.customer_a.id)
        assert organization is not None
        await give_tenant(session, organization)
    await agreement_accepted(database, world.customer_a.id)


async def place_order(client: httpx.AsyncClient) -> str:
    """Fill the cart and place the order as the page's forms do; the order page's path."""
    added = await post_form(client, "/cart/add", {"offer": OFFER, "term": "P1Y", "quantity": "3"})
    assert added.status_code == 303, added.text
    cart = Page((await client.get("/cart")).text)
    placed = await post_form(
        client, "/checkout", {"checkout_key": cart.field("checkout_key")["value"]}
    )
    assert placed.status_code == 303, placed.text
    return placed.headers["location"]


def said(response: httpx.Response) -> tuple[str, str]:
    """The order page's heading and what it says about the order."""
    assert response.status_code == 200, response.text
    page = Page(response.text)
    return " ".join(page.find("h1").text.split()), " ".join(
        page.find("p", class_="notice").text.split()
    )


async def test_the_customer_is_thanked_and_told_what_happens_now(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.customer_admin.email)
    heading, text = said(await client.get(await place_order(client)))

    assert heading == "Order placed"
    assert text.startswith("Thank you. Alpha Customer's order was submitted on ")
    assert "Alpha Reseller sees it in its orders" in text
    assert NOT_YET in text
    assert "provision" not in text.lower()


def browser(app: FastAPI) -> httpx.AsyncClient:
    """Another browser, with cookies of its own."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_staff_acting_for_the_customer_are_not_thanked_as_the_customer(
    client: httpx.AsyncClient, people: People, world: World, database: Database, app: FastAPI
) -> None:
    await sign_in(client, people.reseller_staff.email)
    assert (await open_as(client, world.customer_a.id)).status_code == 303
    path = await place_order(client)

    heading, text = said(await client.get(path))
    assert heading == "Order placed for Alpha Customer"
    assert text.startswith("You placed this order for Alpha Customer on ")
    assert "Thank you" not in text and NOT_YET in text

    # The customer's own admin reads who placed it; the seller's admin reads it as a seller.
    async with database.transaction() as session:
        staff = await session.get(User, people.reseller_staff.id)
        assert staff is not None
        staff_name = staff.full_name
    async with browser(app) as other:
        await sign_in(other, people.customer_admin.email)
        _, text = said(await other.get(path))
        assert text.startswith(f"{staff_name} placed this order for Alpha Customer on ")
        assert "Thank you" not in text
    async with browser(app) as seller:
        await sign_in(seller, people.reseller_admin.email)
        heading, text = said(await seller.get(path))
        assert heading == "Order of Alpha Customer"
        assert "Thank you" not in text and NOT_YET in text


async def test_opening_the_checkout_address_leads_to_the_cart(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.customer_admin.email)
    response = await client.get("/checkout")
    assert response.status_code == 302
    assert response.headers["location"] == "/cart"


async def test_what_stops_an_order_is_a_warning_beside_a_button_that_looks_disabled(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.customer_admin.email)
    cart = await client.get("/cart")  # empty: nothing to order yet
    page = Page(cart.text)

    box = page.by_id("blockers")
    assert "warning" in (box.get("class") or "").split()
    assert "Your cart is empty." in box.text
    button = next(b for b in page.find_all("button") if b.text == "Place order")
    assert button.get("disabled") is not None
    assert button.get("aria-describedby") == "blockers"
    # The stylesheet gives disabled buttons, primary ones included, their own look, and
    # warnings the warning colour rather than the success one.
    css = CSS.read_text(encoding="utf-8")
    assert re.search(r"button\.primary:disabled[^{]*\{[^}]*cursor: not-allowed", css)
    assert re.search(r"\.notice\.warning \{[^}]*var\(--warn\)", css)
