"""Paying an order by card against the sandbox's card stand-in, over HTTP both ways: the customer
starts the payment, types a test card on the hosted page, and the stand-in's signed webhooks
move the order (paid and handed to provisioning, declined with the reason, 3-D Secure pending
then confirmed); a webhook sent again changes nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from tenantry.db import Database
from tenantry.orders.payments import card
from tenantry.settings import CARD_WEBHOOK_PATH, Settings
from tests.factories import World
from tests.orders.card_sandbox import CARD_API, CARD_SETTINGS, card_service  # noqa: F401  (fixture used here)
from tests.orders.support import events, placed, provision_jobs, ready_to_order

CUSTOMER_RETURN = "http://testserver/orders/back"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return CARD_SETTINGS


@pytest.fixture(autouse=True)
async def alpha_is_ready(database: Database, world: World) -> None:
    await ready_to_order(database, world.customer_a.id)


async def start(client: httpx.AsyncClient, world: World, order_id: str) -> str:
    """The customer starts paying by card: the hosted page's path."""
    response = await client.post(
        f"/api/v1/orders/{order_id}/payment",
        json={"provider": "card", "return_url": CUSTOMER_RETURN},
        headers=world.customer_a.headers,
    )
    assert response.status_code == 200, response.text
    step = response.json()
    assert step["outcome"] == "redirect"
    assert step["redirect_url"].startswith(f"{CARD_API}/c/pay/cs_test_")
    redirect_url: str = step["redirect_url"]
    return urlsplit(redirect_url).path


async def deliver(browser: httpx.AsyncClient) -> list[str]:
    """The stand-in posts its pending events now; their ids."""
    report = (await browser.post("/_sandbox/card/events/flush")).json()
    assert report["delivered"] == report["attempted"], report
    ids: list[str] = report["eventIds"]
    return ids


async def status(client: httpx.AsyncClient, world: World, order_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/orders/{order_id}", headers=world.customer_a.headers)
    body: dict[str, Any] = response.json()
    return body


async def test_a_card_that_pays_makes_the_order_paid_and_hands_it_to_provisioning(
    client: httpx.AsyncClient,
    database: Database,
    world: World,
    card_service: httpx.AsyncClient,  # noqa: F811
) -> None:
    order_id = await placed(client, world.customer_a.headers)
    assert "pay" in (await status(client, world, order_id))["actions"]
    page = await start(client, world, order_id)
    # Starting again (a double click) answers the same payment page.
    assert await start(client, world, order_id) == page
    shown = await card_service.get(page)
    assert shown.status_code == 200 and "Pay EUR 16.92" in shown.text
    paid = await card_service.post(page, data={"number": "4242 4242 4242 4242"})
    assert paid.status_code == 303
    assert paid.headers["location"] == CUSTOMER_RETURN
    # Until the webhook arrives the order waits for payment; the person's return proves nothing.
    assert (await status(client, world, order_id))["status"] == "pending_payment"
    assert len(await deliver(card_service)) == 2  # payment_intent.succeeded, session completed
    read = await status(client, world, order_id)
    assert read["status"] == "paid"
    assert read["payment"]["provider"] == "card"
    assert read["payment"]["reference"].startswith("pi_")
    assert await events(database, order_id) == ["placed", "payment_started", "paid"]
    assert len(await provision_jobs(database, order_id)) == 1


async def test_a_declined_card_leaves_the_order_waiting_for_payment_with_the_reason(
    client: httpx.AsyncClient,
    database: Database,
    world: World,
    card_service: httpx.AsyncClient,  # noqa: F811
) -> None:
    order_id = await placed(client, world.customer_a.headers)
    page = await start(client, world, order_id)
    declined = await card_service.post(page, data={"number": "4000000000009995"})
    assert declined.status_code == 402
    assert "Your card has insufficient funds." in declined.text  # the page says it, stays open
    await deliver(card_service)
    read = await status(client, world, order_id)
    assert read["status"] == "pending_payment"
    last = read["timeline"][-1]
    assert (last["event"], last["code"], last["message"]) == (
        "payment_declined", "insufficient_funds", "Your card has insufficient funds.",
    )  # fmt: skip
    assert await provision_jobs(database, order_id) == []
    # Another card on the same page then pays.
    await card_service.post(page, data={"number": "4242424242424242"})
    await deliver(card_service)
    assert (await status(client, world, order_id))["status"] == "paid"


async def test_3d_secure_keeps_the_order_pending_until_the_webhook_confirms_it(
    client: httpx.AsyncClient,
    database: Database,
    world: World,
    card_service: httpx.AsyncClient,  # noqa: F811
) -> None:
    order_id = await placed(client, world.customer_a.headers)
    page = await start(client, world, order_id)
    challenged = await card_service.post(page, data={"number": "4000 0025 0000 3155"})
    assert challenged.headers["location"] == f"{page}/authenticate"
    check = await card_service.get(f"{page}/authenticate")
    assert "card ending in 3155" in check.text
    await deliver(card_service)  # payment_intent.requires_action
    assert (await status(client, world, order_id))["status"] == "pending_payment"
    assert await events(database, order_id) == ["placed", "payment_started", "payment_started"]
    assert await provision_jobs(database, order_id) == []

    done = await card_service.post(f"{page}/authenticate", data={"result": "complete"})
    assert done.headers["location"].startswith(CUSTOMER_RETURN)
    await deliver(card_service)
    assert (await status(client, world, order_id))["status"] == "paid"
    assert len(await provision_jobs(database, order_id)) == 1


async def test_a_failed_3d_secure_check_is_a_decline_and_the_page_offers_another_card(
    client: httpx.AsyncClient,
    world: World,
    card_service: httpx.AsyncClient,  # noqa: F811
) -> None:
    order_id = await placed(client, world.customer_a.headers)
    page = await start(client, world, order_id)
    await card_service.post(page, data={"number": "4000000000003220"})
    failed = await card_service.post(f"{page}/authenticate", data={"result": "fail"})
    assert failed.headers["location"] == page
    assert "unable to authenticate" in (await card_service.get(page)).text
    await deliver(card_service)
    read = await status(client, world, order_id)
    assert read["status"] == "pending_payment"
    assert read["timeline"][-1]["code"] == "payment_intent_authentication_failure"


async def test_a_replayed_webhook_changes_nothing(
    client: httpx.AsyncClient,
    database: Database,
    world: World,
    card_service: httpx.AsyncClient,  # noqa: F811
) -> None:
    order_id = await placed(client, world.customer_a.headers)
    page = await start(client, world, order_id)
    await card_service.post(page, data={"number": "4000000000000002"})
    [declined] = await deliver(card_service)
    again = await card_service.post(f"/_sandbox/card/events/{declined}/resend")
    assert again.json()["delivered"] is True
    assert await events(database, order_id) == ["placed", "payment_started", "payment_declined"]

    await card_service.post(page, data={"number": "4242424242424242"})
    succeeded, completed = await deliver(card_service)
    for event_id in (succeeded, completed, declined):
        assert (await card_service.post(f"/_sandbox/card/events/{event_id}/resend")).json()[
            "delivered"
        ]
    assert await events(database, order_id) == [
        "placed", "payment_started", "payment_declined", "paid",
    ]  # fmt: skip
    assert len(await provision_jobs(database, order_id)) == 1


async def test_a_webhook_not_signed_with_the_endpoint_secret_is_refused(
    client: httpx.AsyncClient,
    world: World,
    card_service: httpx.AsyncClient,  # noqa: F811
) -> None:
    order_id = await placed(client, world.customer_a.headers)
    body = (
        b'{"id":"evt_x","type":"payment_intent.succeeded","data":{"object":{"id":"pi_x",'
        b'"status":"succeeded","metadata":{"order_id":"' + order_id.encode() + b'"}}}}'
    )
    forged = await client.post(
        CARD_WEBHOOK_PATH, content=body, headers={"Stripe-Signature": "t=1,v1=deadbeef"}
    )
    assert forged.status_code == 400
    assert (await status(client, world, order_id))["status"] == "pending_payment"


async def test_the_card_service_refusing_the_key_is_said_and_nothing_moves(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings, world: World,
    card_service: httpx.AsyncClient,  # noqa: F811
) -> None:  # fmt: skip
    wrong = settings.model_copy(update={"card_secret_key": "sk_test_wrong"})
    card.configure(wrong, httpx.ASGITransport(app=card_service._transport.app))  # type: ignore[attr-defined]
    order_id = await placed(client, world.customer_a.headers)
    response = await client.post(
        f"/api/v1/orders/{order_id}/payment", json={"provider": "card"},
        headers=world.customer_a.headers,
    )  # fmt: skip
    assert response.status_code == 502
    assert response.json()["detail"] == "Invalid API Key provided."
    assert (await status(client, world, order_id))["timeline"][-1]["event"] == "placed"
