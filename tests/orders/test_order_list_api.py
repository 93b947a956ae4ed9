"""Finding orders: each caller sees its scope (a customer its own, a reseller its customers', the
platform all), filtered by state, organization, reseller and dates, newest first, a page at a
time; another's order answers 404."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from tenantry.db import Database
from tenantry.models import Order, utcnow
from tests.factories import World
from tests.orders.support import act, placed, ready_to_order


@pytest.fixture
async def orders(client: httpx.AsyncClient, database: Database, world: World) -> dict[str, str]:
    for party in (world.customer_a, world.customer_b, world.direct_customer):
        await ready_to_order(database, party.id)
    made = {
        "a_paid": await placed(client, world.customer_a.headers),
        "a_waiting": await placed(client, world.customer_a.headers),
        "b": await placed(client, world.customer_b.headers),
        "direct": await placed(client, world.direct_customer.headers),
    }
    await act(client, world.reseller_a.headers, made["a_paid"], "mark-paid", {"reference": "R1"})
    async with database.transaction() as session:
        await session.execute(
            update(Order)
            .where(Order.id == uuid.UUID(made["b"]))
            .values(created_at=utcnow() - timedelta(days=40))
        )
    return made


async def ids(client: httpx.AsyncClient, headers: dict[str, str], query: str = "") -> list[str]:
    response = await client.get(f"/api/v1/orders{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_each_caller_sees_its_scope(
    client: httpx.AsyncClient, world: World, orders: dict[str, str]
) -> None:
    assert await ids(client, world.customer_a.headers) == [orders["a_waiting"], orders["a_paid"]]
    assert await ids(client, world.reseller_a.headers) == [orders["a_waiting"], orders["a_paid"]]
    assert await ids(client, world.reseller_b.headers) == [orders["b"]]
    assert set(await ids(client, world.platform.headers)) == set(orders.values())
    for party in (world.customer_b, world.reseller_b):
        assert (
            await client.get(f"/api/v1/orders/{orders['a_paid']}", headers=party.headers)
        ).status_code == 404
        assert (await act(client, party.headers, orders["a_waiting"], "cancel")).status_code == 404


async def test_filters(client: httpx.AsyncClient, world: World, orders: dict[str, str]) -> None:
    platform = world.platform.headers
    assert await ids(client, platform, "?status=paid") == [orders["a_paid"]]
    waiting = await ids(client, platform, "?status=pending_payment&status=cancelled")
    assert set(waiting) == {orders["a_waiting"], orders["direct"], orders["b"]}
    assert await ids(client, platform, f"?reseller_id={world.reseller_b.id}") == [orders["b"]]
    assert await ids(client, platform, f"?organization_id={world.direct_customer.id}") == [
        orders["direct"]
    ]
    old = (utcnow() - timedelta(days=30)).date()
    assert await ids(client, platform, f"?placed_to={old}") == [orders["b"]]
    assert orders["b"] not in await ids(client, platform, f"?placed_from={old}")
    bad = await client.get(
        "/api/v1/orders?placed_from=2026-02-01&placed_to=2026-01-01", headers=platform
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "placed_to"
    unknown = await client.get("/api/v1/orders?status=shipped", headers=platform)
    assert unknown.status_code == 422


async def test_pages_follow_the_cursor(
    client: httpx.AsyncClient, world: World, orders: dict[str, str]
) -> None:
    seen: list[str] = []
    query = "?limit=3"
    while True:
        body = (await client.get(f"/api/v1/orders{query}", headers=world.platform.headers)).json()
        seen += [item["id"] for item in body["items"]]
        if not body["next_cursor"]:
            break
        query = f"?limit=3&cursor={body['next_cursor']}"
    assert sorted(seen) == sorted(orders.values()) and len(seen) == 4
