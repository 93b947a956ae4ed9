"""The cart through the API: quantities and plans checked against the SKU's limits (422 naming
the field and the rule), the offer's preferred plan when none is named, and the order lines the
cart becomes (what the provisioning builds Partner Center carts from)."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from tenantry.db import Database
from tenantry.errors import Conflict
from tenantry.models import Organization
from tenantry.orders import cart as carts
from tests.factories import World
from tests.orders.catalog_factories import BASIC, BASIC_ITEM, E3

from .catalog_support import ok, refused

ITEMS = "/api/v1/cart/items"


async def test_a_line_is_added_on_the_offers_preferred_plan_and_changed(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = world.customer_a.headers
    cart = ok(
        await client.post(ITEMS, json={"offer_id": BASIC, "quantity": 2}, headers=headers), 201
    )
    [line] = cart["lines"]
    assert (line["term"], line["billing_cycle"], line["quantity"]) == ("P1Y", "monthly", 2)
    assert (line["unit_price"], line["total"], line["catalog_item_id"]) == (
        "5.64", "11.28", BASIC_ITEM,
    )  # fmt: skip
    # The same plan again adds up; another plan is another line.
    ok(await client.post(ITEMS, json={"offer_id": BASIC, "quantity": 3}, headers=headers), 201)
    cart = ok(
        await client.post(
            ITEMS, headers=headers,
            json={"offer_id": E3, "term": "P3Y", "billing_cycle": "annual", "quantity": 10},
        ),
        201,
    )  # fmt: skip
    assert [(ln["offer_id"], ln["quantity"]) for ln in cart["lines"]] == [(BASIC, 5), (E3, 10)]
    assert cart["total"] == str(Decimal("5.64") * 5 + Decimal("406.08") * 10)

    e3 = cart["lines"][1]["id"]
    cart = ok(await client.put(f"{ITEMS}/{e3}", json={"quantity": 12}, headers=headers))
    assert cart["lines"][1]["quantity"] == 12
    ok(await client.put(f"{ITEMS}/{e3}", json={"quantity": 0}, headers=headers))
    assert len(ok(await client.get("/api/v1/cart", headers=headers))["lines"]) == 1
    gone = await client.put(f"{ITEMS}/{e3}", json={"quantity": 4}, headers=headers)
    assert refused(gone, 404)
    # Another customer's line is not found either.
    basic = ok(await client.get("/api/v1/cart", headers=headers))["lines"][0]["id"]
    other = await client.put(
        f"{ITEMS}/{basic}", json={"quantity": 4}, headers=world.customer_b.headers
    )
    assert refused(other, 404)
    assert (await client.delete(f"{ITEMS}/{basic}", headers=headers)).status_code == 204


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"offer_id": BASIC, "term": "P1M", "billing_cycle": "annual", "quantity": 1},
         {"billing_cycle": "offered"}),
        ({"offer_id": BASIC, "term": "P3Y", "billing_cycle": "monthly", "quantity": 1},
         {"term": "offered"}),
        ({"offer_id": BASIC, "quantity": 301}, {"quantity": "range"}),
        ({"offer_id": E3, "term": "P3Y", "billing_cycle": "monthly", "quantity": 50_001},
         {"quantity": "range"}),
        ({"offer_id": "CFQ7TTC0LH18:0002", "quantity": 1}, {"offer_id": "sold"}),
        ({"offer_id": "CFQ7TTC0XXXX:0001", "quantity": 1}, {"offer_id": "exists"}),
        ({"offer_id": BASIC, "quantity": 0}, {"quantity": "greater_than_equal"}),
        ({"offer_id": BASIC, "term": "P2Y", "quantity": 1}, {"term": "literal_error"}),
    ],
)  # fmt: skip
async def test_plans_and_quantities_outside_the_skus_limits_are_refused(
    client: httpx.AsyncClient, world: World, body: dict[str, object], fields: dict[str, str]
) -> None:
    problem = refused(await client.post(ITEMS, json=body, headers=world.customer_a.headers))
    assert problem["fields"] == fields
    assert ok(await client.get("/api/v1/cart", headers=world.customer_a.headers))["lines"] == []


async def test_the_messages_say_what_the_sku_is_sold_on(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = world.customer_a.headers
    body = {"offer_id": BASIC, "term": "P3Y", "billing_cycle": "monthly", "quantity": 400}
    problem = refused(await client.post(ITEMS, json=body, headers=headers))
    messages = {e["field"]: e["message"] for e in problem["errors"]}
    assert messages == {
        "term": "Microsoft 365 Business Basic is sold on these terms: 1 year, 1 month",
        "quantity": "Microsoft 365 Business Basic is sold in quantities of 1 to 300",
    }
    line = ok(
        await client.post(ITEMS, json={"offer_id": BASIC, "quantity": 300}, headers=headers), 201
    )
    item = line["lines"][0]["id"]
    problem = refused(await client.put(f"{ITEMS}/{item}", json={"quantity": 301}, headers=headers))
    assert problem["fields"] == {"quantity": "range"}
    problem = refused(
        await client.post(ITEMS, json={"offer_id": BASIC, "quantity": 1}, headers=headers)
    )
    assert problem["fields"] == {"quantity": "range"}  # 300 already there


async def test_only_a_customers_people_fill_its_cart(
    client: httpx.AsyncClient, world: World
) -> None:
    body = {"offer_id": BASIC, "quantity": 1}
    assert refused(await client.post(ITEMS, json=body, headers=world.reseller_a.headers), 403)
    assert refused(await client.get("/api/v1/cart", headers=world.platform.headers), 403)


async def test_the_order_lines_name_what_a_partner_center_cart_needs(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    headers = world.customer_a.headers
    ok(await client.post(ITEMS, headers=headers, json={
        "offer_id": E3, "term": "P1Y", "billing_cycle": "annual", "quantity": 4,
    }), 201)  # fmt: skip
    async with database.transaction(write=False) as session:
        organization = await session.get_one(Organization, world.customer_a.id)
        lines = carts.order_lines(await carts.load(session, organization))
    assert lines == [
        {
            "offer_id": E3,
            "title": "Microsoft 365 E3",
            "term": "P1Y",
            "billing_cycle": "annual",
            "quantity": 4,
            "unit_price": "406.08",
            "total": "1624.32",
            "currency": "EUR",
            "catalog_item_id": "CFQ7TTC0LFLX:0001:CFQ7TTC0K4KB",
        }
    ]
    # A line that can no longer be ordered keeps the order from being placed, naming why.
    async with database.transaction() as session:
        from sqlalchemy import delete

        from tenantry.models import CatalogPrice

        await session.execute(delete(CatalogPrice).where(CatalogPrice.product_id == "CFQ7TTC0LFLX"))
    async with database.transaction(write=False) as session:
        organization = await session.get_one(Organization, world.customer_a.id)
        cart = await carts.load(session, organization)
    assert [p.code for p in cart.problems] == ["offer_not_priced"]
    with pytest.raises(Conflict, match="has no price in EUR"):
        carts.order_lines(cart)
