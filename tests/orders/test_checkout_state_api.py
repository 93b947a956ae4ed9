"""GET /api/v1/checkout: each step of the checkout and exactly what still blocks it."""

from __future__ import annotations

from typing import Any

import httpx

from tenantry.db import Database
from tenantry.models import CartItem, Organization, PlatformConfig, Role
from tests.factories import World, make_token
from tests.orders.support import OFFER_ID, place, ready_to_order


def blocked(state: dict[str, Any]) -> dict[str, list[str]]:
    return {s["key"]: [b["code"] for b in s["blockers"]] for s in state["steps"] if s["blockers"]}


async def fill_cart(database: Database, organization_id: Any) -> None:
    async with database.transaction() as session:
        session.add(
            CartItem(organization_id=organization_id, offer_id=OFFER_ID, term="P1Y", quantity=5)
        )


async def test_each_step_says_what_blocks_it(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    state = (await client.get("/api/v1/checkout", headers=world.customer_b.headers)).json()
    assert [s["key"] for s in state["steps"]] == [
        "offers",
        "organization",
        "service_details",
        "review",
        "place",
    ]
    assert blocked(state) == {
        "offers": ["cart_empty"],
        "service_details": ["service_details"],
        "review": ["microsoft_customer_agreement_missing"],
    }
    assert state["may_place"] is False and state["payment_required"] is True

    await ready_to_order(database, world.customer_b.id)
    await fill_cart(database, world.customer_b.id)
    ready = (await client.get("/api/v1/checkout", headers=world.customer_b.headers)).json()
    assert ready["may_place"] is True and blocked(ready) == {}
    assert ready["total"] == "28.20" and ready["lines"][0]["quantity"] == 5
    assert all(step["done"] for step in ready["steps"])


async def test_the_erp_id_blocks_where_the_platform_requires_it(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await ready_to_order(database, world.customer_a.id)
    await fill_cart(database, world.customer_a.id)
    async with database.transaction() as session:
        config = await session.get(PlatformConfig, world.platform.id)
        assert config is not None
        config.erp_id_required_for_orders = True
    state = (await client.get("/api/v1/checkout", headers=world.customer_a.headers)).json()
    assert blocked(state) == {"organization": ["erp_id_missing"]}
    step = next(s for s in state["steps"] if s["key"] == "organization")
    assert step["blockers"][0]["message"] == (
        "Alpha Reseller has not recorded Alpha Customer's ERP ID yet, which every order needs. "
        "Ask Alpha Reseller to record it."
    )
    refused = await place(client, world.customer_a.headers)
    assert refused.status_code == 409 and refused.json()["reason"] == "erp_id_missing"
    seller = await client.get(
        f"/api/v1/checkout?organization_id={world.customer_a.id}", headers=world.reseller_a.headers
    )
    assert (
        seller.json()["steps"][1]["blockers"][0]["link"] == f"/organizations/{world.customer_a.id}"
    )
    async with database.transaction() as session:
        organization = await session.get(Organization, world.customer_a.id)
        assert organization is not None
        organization.erp_id = "C-1001"
    assert (await place(client, world.customer_a.headers)).status_code == 201


async def test_a_role_that_may_not_order_is_said_in_the_last_step(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    async with database.transaction() as session:
        token = await make_token(session, world.customer_a.organization, Role.CUSTOMER_USER)
    state = (
        await client.get("/api/v1/checkout", headers={"Authorization": f"Bearer {token}"})
    ).json()
    place_step = state["steps"][-1]
    assert [b["code"] for b in place_step["blockers"]] == ["role_may_not_order"]
    assert "customer_user may not do this (orders.place)" in place_step["blockers"][0]["message"]


async def test_another_resellers_customer_is_not_found(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get(
        f"/api/v1/checkout?organization_id={world.customer_b.id}", headers=world.reseller_a.headers
    )
    assert response.status_code == 404


async def test_a_resellers_customer_needs_a_complete_billing_address_when_required(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await ready_to_order(database, world.customer_a.id)
    async with database.transaction() as session:
        config = await session.get(PlatformConfig, world.platform.id)
        organization = await session.get(Organization, world.customer_a.id)
        assert config is not None and organization is not None
        config.billing_address_required = True
        organization.address_city = ""
    state = (await client.get("/api/v1/checkout", headers=world.customer_a.headers)).json()
    assert "billing_address_incomplete" in blocked(state)["organization"]
