"""Paying an order by card from its page: the customer's "Pay by card" button leads to the card
service's page (the sandbox's stand-in), and back on the order page its timeline says what became of
it (paid once the webhook confirmed it, or the decline's reason); the seller sees no such button."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from tenantry.db import Database
from tests.orders.card_sandbox import CARD_API, CARD_SETTINGS, card_service  # noqa: F401
from tests.web.conftest import People, post_form, sign_in
from tests.web.html import Page
from tests.web.test_order_pages import alpha_customer_holds_a_tenant, place_order  # noqa: F401


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "login_attempts_per_hour": 1000,
        "login_attempts_per_hour_per_address": 2000,
        **CARD_SETTINGS,
    }


def timeline(response: httpx.Response) -> list[tuple[str, str]]:
    """(what happened, details) of the order page's timeline rows."""
    table = response.text.split('id="timeline"', 1)[1].split("</table>", 1)[0]
    cells = [" ".join(td.text.split()) for td in Page(table).find_all("td")]
    return [(cells[i + 1], cells[i + 4]) for i in range(0, len(cells), 5)]


def pay_buttons(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [" ".join(b.text.split()) for b in Page(response.text).find_all("button")
            if b.text.strip().startswith("Pay by")]  # fmt: skip


async def test_the_customer_pays_by_card_from_the_order_page(
    app: FastAPI, client: httpx.AsyncClient, people: People, database: Database,
    card_service: httpx.AsyncClient,  # noqa: F811
) -> None:  # fmt: skip
    await sign_in(client, people.customer_admin.email)
    path = await place_order(client)
    order_page = await client.get(path)
    assert pay_buttons(order_page) == ["Pay by card"]
    # The browser follows the button's redirect to the card service's page only if the page's
    # policy lets its forms lead there.
    assert f"form-action 'self' {CARD_API};" in order_page.headers["content-security-policy"]

    started = await post_form(client, f"{path}/pay", {"provider": "card"})
    assert started.status_code == 303
    card_page = urlsplit(started.headers["location"])
    assert f"{card_page.scheme}://{card_page.netloc}" == CARD_API

    declined = await card_service.post(card_page.path, data={"number": "4000000000000002"})
    assert "Your card was declined." in declined.text
    await card_service.post("/_sandbox/card/events/flush")
    page = await client.get(path)
    assert timeline(page)[-1] == ("Payment declined", "Your card was declined.")
    assert pay_buttons(page) == ["Pay by card"]  # try again

    back = await card_service.post(card_page.path, data={"number": "4242424242424242"})
    assert urlsplit(back.headers["location"]).path == path
    await card_service.post("/_sandbox/card/events/flush")
    paid = await client.get(path)
    assert pay_buttons(paid) == []
    assert Page(paid.text).by_id("order-status").text.startswith("Paid")
    assert timeline(paid)[-1][0] == "Paid"


async def test_the_seller_has_no_card_button(
    app: FastAPI, client: httpx.AsyncClient, people: People,
    card_service: httpx.AsyncClient,  # noqa: F811
) -> None:  # fmt: skip
    await sign_in(client, people.customer_admin.email)
    path = await place_order(client)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as seller:
        await sign_in(seller, people.reseller_admin.email)
        assert pay_buttons(await seller.get(path)) == []
