"""The payment provider interface, driven by a hand-written card provider: starting a payment
(redirect, pending, paid, declined) and its webhook (paid, declined; a notice the order is past
is ignored; one not the provider's is refused). Tenantry ships only the manual provider."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from tenantry.db import Database
from tenantry.models import Order, Organization
from tenantry.orders.payments import registry
from tenantry.orders.payments.base import (
    InvalidNotice,
    PaymentNotice,
    PaymentStep,
    StepOutcome,
)
from tests.factories import World
from tests.orders.support import act, events, order_of, placed, provision_jobs, ready_to_order

SECRET = "test-signature"


class CardDouble:
    """Answers a start by the order's first line quantity: 1 redirect, 2 pending, 3 paid, else
    declined; its webhook is JSON signed with a shared header."""

    name = "testcard"
    title = "Card"
    staff_mark_paid = False
    customer_starts = True

    def instructions(self, order: Order, seller: Organization) -> str:
        return "Pay by card on this page."

    def page_origins(self) -> tuple[str, ...]:
        return ("https://card.example",)

    async def start(self, order: Order, *, return_url: str) -> PaymentStep:
        quantity = order.lines[0]["quantity"]
        reference = f"pay_{str(order.id)[:8]}"
        if quantity == 1:
            return PaymentStep(
                StepOutcome.REDIRECT,
                reference,
                redirect_url=f"https://card.example/3ds?back={return_url}",
            )
        if quantity == 2:
            return PaymentStep(StepOutcome.PENDING, reference)
        if quantity == 3:
            return PaymentStep(StepOutcome.PAID, reference)
        return PaymentStep(
            StepOutcome.DECLINED, reference, code="card_declined", message="The card was declined."
        )

    def notice(self, headers: Mapping[str, str], body: bytes) -> PaymentNotice:
        if headers.get("x-test-signature") != SECRET:
            raise InvalidNotice("the signature does not match")
        data: dict[str, Any] = json.loads(body)
        return PaymentNotice(
            uuid.UUID(data["order_id"]), StepOutcome(data["outcome"]), data.get("reference"),
            data.get("code"), data.get("message"),
        )  # fmt: skip


registry.register(CardDouble())


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"payment_providers": "manual,testcard"}


@pytest.fixture(autouse=True)
async def alpha_is_ready(database: Database, world: World) -> None:
    await ready_to_order(database, world.customer_a.id)


async def order_of_quantity(client: httpx.AsyncClient, world: World, quantity: int) -> str:
    line = {"offer_id": "CFQ7TTC0LH18:0001", "term": "P1Y", "quantity": quantity}
    return await placed(client, world.customer_a.headers, lines=[line])


async def pay(
    client: httpx.AsyncClient, world: World, order_id: str, provider: str = "testcard"
) -> httpx.Response:
    return await act(client, world.customer_a.headers, order_id, "payment", {"provider": provider})


async def notify(
    client: httpx.AsyncClient, body: dict[str, Any], signature: str = SECRET
) -> httpx.Response:
    return await client.post(
        "/api/v1/payments/testcard/webhook", content=json.dumps(body),
        headers={"x-test-signature": signature, "content-type": "application/json"},
    )  # fmt: skip


async def test_a_card_payment_redirects_then_the_webhook_confirms_it(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    order_id = await order_of_quantity(client, world, 1)
    seen = await client.get(f"/api/v1/orders/{order_id}", headers=world.customer_a.headers)
    assert seen.json()["actions"] == ["pay", "cancel"]
    started = await pay(client, world, order_id)
    assert started.status_code == 200, started.text
    assert started.json()["outcome"] == "redirect"
    assert started.json()["redirect_url"].startswith("https://card.example/3ds?back=http")
    assert (await order_of(database, order_id)).payment_reference == f"pay_{order_id[:8]}"

    confirmed = await notify(client, {"order_id": order_id, "outcome": "paid", "reference": "ch_1"})
    assert confirmed.json() == {"result": "applied"}
    order = await order_of(database, order_id)
    assert (order.status.value, order.payment_provider, order.payment_reference) == (
        "paid",
        "testcard",
        "ch_1",
    )
    assert await events(database, order_id) == ["placed", "payment_started", "paid"]
    assert len(await provision_jobs(database, order_id)) == 1
    repeated = await notify(client, {"order_id": order_id, "outcome": "paid", "reference": "ch_1"})
    assert repeated.json() == {"result": "ignored"}
    assert len(await provision_jobs(database, order_id)) == 1


async def test_a_pending_payment_can_be_declined_later_and_the_order_keeps_waiting(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    order_id = await order_of_quantity(client, world, 2)
    assert (await pay(client, world, order_id)).json()["outcome"] == "pending"
    declined = await notify(
        client, {"order_id": order_id, "outcome": "declined", "code": "insufficient_funds",
                 "message": "The bank refused the payment."},
    )  # fmt: skip
    assert declined.json() == {"result": "applied"}
    read = (await client.get(f"/api/v1/orders/{order_id}", headers=world.customer_a.headers)).json()
    assert read["status"] == "pending_payment"
    assert read["timeline"][-1] | {"at": None} == {
        "at": None,
        "event": "payment_declined",
        "from_status": "pending_payment",
        "to_status": "pending_payment",
        "by": "system",
        "code": "insufficient_funds",
        "message": "The bank refused the payment.",
    }


async def test_a_payment_paid_at_once_or_declined_at_once(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    paid = await order_of_quantity(client, world, 3)
    assert (await pay(client, world, paid)).json()["outcome"] == "paid"
    assert (await order_of(database, paid)).status.value == "paid"
    assert (await pay(client, world, paid)).status_code == 409

    declined = await order_of_quantity(client, world, 4)
    answer = (await pay(client, world, declined)).json()
    assert (answer["outcome"], answer["code"]) == ("declined", "card_declined")
    assert await events(database, declined) == ["placed", "payment_declined"]


async def test_what_the_payment_routes_refuse(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    order_id = await order_of_quantity(client, world, 1)
    invoice = await pay(client, world, order_id, "manual")
    assert invoice.status_code == 409 and invoice.json()["reason"] == "not_paid_online"
    assert (await pay(client, world, order_id, "paypal")).status_code == 404
    seller = await act(
        client, world.reseller_a.headers, order_id, "payment", {"provider": "testcard"}
    )
    assert seller.status_code == 403
    forged = await notify(client, {"order_id": order_id, "outcome": "paid"}, signature="nope")
    assert forged.status_code == 400
    unknown = await notify(client, {"order_id": str(uuid.uuid4()), "outcome": "paid"})
    assert unknown.status_code == 400
    manual_hook = await client.post("/api/v1/payments/manual/webhook", content=b"{}")
    assert manual_hook.status_code == 400
    assert await events(database, order_id) == ["placed"]
