"""Placing an order over the API: the same Idempotency-Key answers with the first order for 24
hours, twenty identical requests at once make one order, and what blocks is named."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update

from tenantry.db import Database
from tenantry.models import CartItem, IdempotencyRecord, Order, utcnow
from tests.factories import World
from tests.orders.support import LINE, OFFER_ID, place, placed, provision_jobs, ready_to_order


@pytest.fixture(autouse=True)
async def alpha_is_ready(database: Database, world: World) -> None:
    await ready_to_order(database, world.customer_a.id)


async def order_count(database: Database) -> int:
    async with database.transaction(write=False) as session:
        return await session.scalar(select(func.count()).select_from(Order)) or 0


async def test_the_same_key_answers_with_the_first_order(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    first = await place(client, world.customer_a.headers, key="order-1")
    again = await place(client, world.customer_a.headers, key="order-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = await place(
        client, world.customer_a.headers, key="order-1", lines=[LINE | {"quantity": 4}]
    )
    assert other.status_code == 422
    assert other.json()["errors"][0]["rule"] == "reused_key"
    assert await order_count(database) == 1


async def test_a_key_older_than_24_hours_places_a_new_order(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    first = await place(client, world.customer_a.headers, key="monthly")
    async with database.transaction() as session:
        await session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.key == "monthly")
            .values(created_at=utcnow() - timedelta(hours=25))
        )
    later = await place(client, world.customer_a.headers, key="monthly")
    assert later.status_code == 201 and later.json()["id"] != first.json()["id"]
    assert await order_count(database) == 2


async def test_twenty_identical_requests_at_once_make_one_order(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    headers = world.customer_a.headers
    await client.get("/api/v1/orders", headers=headers)  # the token's first use is recorded
    key = uuid.uuid4().hex
    answers = await asyncio.gather(*(place(client, headers, key=key) for _ in range(20)))
    assert sorted({a.status_code for a in answers}) == [201], [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert await order_count(database) == 1


async def test_the_cart_is_ordered_and_emptied_when_no_lines_are_given(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    async with database.transaction() as session:
        session.add(
            CartItem(organization_id=world.customer_a.id, offer_id=OFFER_ID, term="P1M", quantity=2)
        )
    response = await place(client, world.customer_a.headers, lines=None)
    assert response.status_code == 201, response.text
    assert [(line["term"], line["quantity"]) for line in response.json()["lines"]] == [("P1M", 2)]
    async with database.transaction(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(CartItem)) == 0
    empty = await place(client, world.customer_a.headers, lines=None)
    assert empty.status_code == 409 and empty.json()["reason"] == "cart_empty"


async def test_bad_lines_are_named(client: httpx.AsyncClient, world: World) -> None:
    response = await place(
        client, world.customer_a.headers,
        lines=[LINE, {"offer_id": "NOPE:0001", "term": "P1Y", "quantity": 1}, LINE | {"quantity": 301}],
    )  # fmt: skip
    assert response.status_code == 422
    fields = {(e["field"], e["rule"]) for e in response.json()["errors"]}
    assert fields == {("lines.1.offer_id", "known_offer"), ("lines.2.quantity", "range")}
    too_many = await place(client, world.customer_a.headers, lines=[LINE | {"quantity": 301}])
    assert too_many.status_code == 422
    assert [(e["field"], e["rule"]) for e in too_many.json()["errors"]] == [
        ("lines.0.quantity", "range")
    ]
    bad_term = await place(client, world.customer_a.headers, lines=[LINE | {"term": "P3Y"}])
    assert [e["field"] for e in bad_term.json()["errors"]] == ["lines.0.term"]


async def test_what_blocks_a_customer_is_named(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    # Beta Customer has not done its Service Details.
    refused = await place(client, world.customer_b.headers)
    assert refused.status_code == 409
    assert refused.json()["reason"] == "service_details"
    assert refused.json()["link"] == "/service-details"
    assert await order_count(database) == 0


async def test_a_trusted_customer_order_goes_straight_to_paid(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    setting = await client.put(
        f"/api/v1/payment-settings/organizations/{world.customer_a.id}",
        json={"skip_payment": True}, headers=world.platform.headers,
    )  # fmt: skip
    assert setting.status_code == 200, setting.text
    order = await place(client, world.customer_a.headers)
    body = order.json()
    assert body["status"] == "paid" and body["payment"]["required"] is False
    assert [e["event"] for e in body["timeline"]] == ["placed", "paid"]
    assert body["timeline"][1]["message"] == (
        "Payment is not required for this customer (payment settings)."
    )
    assert len(await provision_jobs(database, body["id"])) == 1


async def test_an_api_token_of_a_customer_user_may_not_order(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    from tenantry.models import Role
    from tests.factories import make_token

    async with database.transaction() as session:
        token = await make_token(session, world.customer_a.organization, Role.CUSTOMER_USER)
    refused = await place(client, {"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403 and "(orders.place)" in refused.text
    order_id = await placed(client, world.customer_a.headers)
    seen = await client.get(
        f"/api/v1/orders/{order_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert seen.status_code == 200 and seen.json()["actions"] == []
