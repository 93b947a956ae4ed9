"""The price list and markups through the API: what each customer pays follows its currency,
segment and seller; an offer without a price in a customer's currency is not offered (and staff
are told); a CSV price list is imported, Microsoft's or Tenantry's own."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import insert, select, update

from tenantry.db import Database
from tenantry.models import AuditEvent, Organization, Segment, organization_segments
from tests.factories import World
from tests.orders.catalog_factories import BASIC, E3

from .catalog_support import ok, refused

PRICES = "/api/v1/catalog/prices"
MARKUPS = "/api/v1/catalog/markups"
OFFERS = "/api/v1/catalog/offers"


def plan_price(offers: list[dict[str, Any]], offer_id: str, term: str, cycle: str) -> str:
    offer = next(o for o in offers if o["id"] == offer_id)
    return str(
        next(
            p["unit_price"]
            for p in offer["plans"]
            if (p["term"], p["billing_cycle"]) == (term, cycle)
        )
    )


async def in_segment(database: Database, world: World, organization_id: Any, name: str) -> Any:
    async with database.transaction() as session:
        segment = Segment(platform_id=world.platform.id, name=name)
        session.add(segment)
        await session.flush()
        await session.execute(
            insert(organization_segments).values(
                organization_id=organization_id, segment_id=segment.id
            )
        )
        return segment.id


async def test_each_customer_pays_the_list_price_with_its_segment_and_reseller_markups(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    education = await in_segment(database, world, world.customer_a.id, "Education")
    markups = {
        "segments": [{"segment_id": str(education), "percent": "-10"}],
        "resellers": [{"organization_id": str(world.reseller_a.id), "percent": 5}],
    }
    saved = ok(await client.put(MARKUPS, json=markups, headers=world.platform.headers))
    assert {(s["name"], s["percent"]) for s in saved["segments"]} == {("Education", "-10.00")}
    assert ("Alpha Reseller", "5.00") in {(r["name"], r["percent"]) for r in saved["resellers"]}

    # The demo list price of Business Basic for a year billed monthly is EUR 5.64.
    direct = ok(await client.get(OFFERS, headers=world.direct_customer.headers))
    assert plan_price(direct, BASIC, "P1Y", "monthly") == "5.64"
    alpha = ok(await client.get(OFFERS, headers=world.customer_a.headers))
    assert plan_price(alpha, BASIC, "P1Y", "monthly") == str(
        (Decimal("5.64") * Decimal("0.9") * Decimal("1.05")).quantize(Decimal("0.01"))
    )  # 5.33
    beta = ok(await client.get(OFFERS, headers=world.customer_b.headers))
    assert plan_price(beta, BASIC, "P1Y", "monthly") == "5.64"
    # Reseller A sees its customer's prices, and its own storefront's (its markup only).
    seen = ok(
        await client.get(
            OFFERS, params={"organization_id": str(world.customer_a.id)},
            headers=world.reseller_a.headers,
        )
    )  # fmt: skip
    assert seen == alpha
    storefront = ok(await client.get(OFFERS, headers=world.reseller_a.headers))
    assert plan_price(storefront, BASIC, "P1Y", "monthly") == "5.92"
    other = await client.get(
        OFFERS, params={"organization_id": str(world.customer_b.id)},
        headers=world.reseller_a.headers,
    )  # fmt: skip
    assert refused(other, 404)
    # An annual bill is per year; E3 sells on three years too.
    assert plan_price(direct, BASIC, "P1Y", "annual") == "67.68"
    assert plan_price(direct, E3, "P3Y", "annual") == "406.08"

    # Resellers neither see nor set markups.
    assert refused(await client.get(MARKUPS, headers=world.reseller_a.headers), 403)
    assert refused(await client.put(MARKUPS, json=markups, headers=world.reseller_a.headers), 403)
    # Replacing the set removes what is not listed.
    cleared = ok(await client.put(MARKUPS, json={}, headers=world.platform.headers))
    assert all(s["percent"] is None for s in cleared["segments"] + cleared["resellers"])
    async with database.transaction(write=False) as session:
        actions = list(await session.scalars(select(AuditEvent.action)))
    assert actions.count("catalog.markups_set") == 2


async def test_markups_are_checked(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    bad = {
        "segments": [{"segment_id": str(world.customer_a.id), "percent": "-100"}],
        "resellers": [
            {"organization_id": str(world.customer_b.id), "percent": "2.5"},
            {"organization_id": str(world.reseller_a.id), "percent": "1.234"},
        ],
    }
    problem = refused(await client.put(MARKUPS, json=bad, headers=world.platform.headers))
    assert problem["fields"] == {
        "segments.0.percent": "greater_than",
        "resellers.1.percent": "decimal_max_places",
    }
    bad["segments"][0]["percent"] = "3"
    bad["resellers"].pop()
    problem = refused(await client.put(MARKUPS, json=bad, headers=world.platform.headers))
    assert problem["fields"] == {
        "segments.0.segment_id": "exists",
        "resellers.0.organization_id": "reseller",
    }


async def test_an_offer_without_a_price_in_the_customers_currency_is_not_offered(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(Organization)
            .where(Organization.id == world.customer_a.id)
            .values(preferred_currency="GBP")
        )
    # The world's price list is in EUR and USD only.
    assert ok(await client.get(OFFERS, headers=world.customer_a.headers)) == []
    products = ok(await client.get("/api/v1/catalog/products", headers=world.platform.headers))
    skus = {s["offer_id"]: s for p in products for s in p["skus"]}
    assert skus[BASIC]["unpriced_currencies"] == ["GBP", "DKK", "NOK", "SEK"]
    assert skus["CFQ7TTC0LH18:0002"]["unpriced_currencies"] == []  # a trial: never offered

    price = {"offer_id": BASIC, "term": "P1M", "billing_cycle": "monthly", "currency": "GBP",
             "list_price": "5.69", "cost": 4.8}  # fmt: skip
    changed = ok(await client.put(PRICES, json={"prices": [price]}, headers=world.platform.headers))
    assert changed == {"created": 1, "changed": 0, "unchanged": 0, "removed": 0}
    [offer] = ok(await client.get(OFFERS, headers=world.customer_a.headers))
    assert (offer["id"], offer["currency"]) == (BASIC, "GBP")
    assert [(p["term"], p["billing_cycle"], p["unit_price"]) for p in offer["plans"]] == [
        ("P1M", "monthly", "5.69")
    ]
    listed = ok(
        await client.get(PRICES, params={"currency": "GBP"}, headers=world.platform.headers)
    )
    assert [(p["list_price"], p["cost"]) for p in listed] == [("5.6900", "4.8000")]

    price["list_price"] = None
    removed = ok(await client.put(PRICES, json={"prices": [price]}, headers=world.platform.headers))
    assert removed["removed"] == 1
    assert ok(await client.get(OFFERS, headers=world.customer_a.headers)) == []


async def test_prices_are_checked(client: httpx.AsyncClient, world: World) -> None:
    prices = [
        {"offer_id": BASIC, "term": "P2Y", "billing_cycle": "monthly", "currency": "EUR",
         "list_price": "1"},
        {"offer_id": "nope", "term": "P1Y", "billing_cycle": "weekly", "currency": "EUR",
         "list_price": "-1"},
        {"offer_id": BASIC, "term": "P1Y", "billing_cycle": "monthly", "currency": "EUR",
         "list_price": "1.00001"},
    ]  # fmt: skip
    problem = refused(
        await client.put(PRICES, json={"prices": prices}, headers=world.platform.headers)
    )
    assert problem["fields"] == {
        "prices.0.term": "literal_error",
        "prices.1.offer_id": "string_pattern_mismatch",
        "prices.1.billing_cycle": "literal_error",
        "prices.1.list_price": "greater_than_equal",
        "prices.2.list_price": "decimal_max_places",
    }
    jpy = [{"offer_id": BASIC, "term": "P1Y", "billing_cycle": "monthly", "currency": "JPY",
            "list_price": "900"}]  # fmt: skip
    problem = refused(
        await client.put(PRICES, json={"prices": jpy}, headers=world.platform.headers)
    )
    assert problem["fields"] == {"prices.0.currency": "allowed"}
    assert refused(await client.get(PRICES, headers=world.reseller_a.headers), 403)


MICROSOFT_CSV = """ChangeIndicator,ProductTitle,ProductId,SkuId,SkuTitle,Publisher,SkuDescription,UnitOfMeasure,TermDuration,BillingPlan,Market,Currency,UnitPrice,PricingTierRangeMin,PricingTierRangeMax,EffectiveStartDate,EffectiveEndDate,Tags,ERP Price,Segment
Unchanged,Microsoft 365 Business Basic,CFQ7TTC0LH18,0001,Microsoft 365 Business Basic,Microsoft Corporation,x,1 Month,P1Y,Annual,DK,EUR,61.00,,,2024-01-01T00:00:00.0000000Z,9999-12-31T00:00:00.0000000Z,License,70.00,Commercial
Unchanged,Microsoft 365 Business Basic,CFQ7TTC0LH18,0001,Microsoft 365 Business Basic,Microsoft Corporation,x,1 Month,P1Y,Annual,DK,EUR,55.00,,,2024-01-01T00:00:00.0000000Z,9999-12-31T00:00:00.0000000Z,License,60.00,Education
Unchanged,Microsoft 365 E3,CFQ7TTC0LFLX,0001,Microsoft 365 E3,Microsoft Corporation,x,1 Month,P3Y,Triennial,DK,EUR,1200.00,,,2024-01-01T00:00:00.0000000Z,9999-12-31T00:00:00.0000000Z,License,1296.00,Commercial
Added,Microsoft 365 E3,CFQ7TTC0LFLX,0001,Microsoft 365 E3,Microsoft Corporation,x,1 Month,P1Y,Monthly,DK,EUR,40.00,,,2999-01-01T00:00:00.0000000Z,9999-12-31T00:00:00.0000000Z,License,44.00,Commercial
Added,Microsoft 365 E3,CFQ7TTC0LFLX,0001,Microsoft 365 E3,Microsoft Corporation,x,1 Month,P1Y,Monthly,JP,JPY,4000,,,2024-01-01T00:00:00.0000000Z,9999-12-31T00:00:00.0000000Z,License,4400,Commercial
Added,A product not listed yet,CFQ7TTC0ZZZZ,0002,Not listed,Microsoft Corporation,x,1 Month,P1Y,Monthly,DK,EUR,28.20,,,2024-01-01T00:00:00.0000000Z,9999-12-31T00:00:00.0000000Z,License,30.00,Commercial
"""


async def test_microsofts_price_list_is_imported(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    result = ok(
        await client.post(
            f"{PRICES}/import", json={"csv": MICROSOFT_CSV}, headers=world.platform.headers
        )
    )
    assert (result["rows"], result["created"], result["changed"]) == (6, 1, 1)
    assert {(s["reason"], s["rows"], s["first_lines"][0]) for s in result["skipped"]} == {
        ("segment education (only commercial is sold)", 1, 3),
        ("term or billing not sold here (P3Y Triennial)", 1, 4),
        ("not in effect today", 1, 5),
        ("currency JPY not allowed", 1, 6),
    }
    assert result["not_in_catalog"] == ["CFQ7TTC0ZZZZ:0002"]
    listed = ok(await client.get(PRICES, params={"offer_id": BASIC, "currency": "EUR"},
                                 headers=world.platform.headers))  # fmt: skip
    annual = next(p for p in listed if (p["term"], p["billing_cycle"]) == ("P1Y", "annual"))
    assert (annual["list_price"], annual["cost"]) == ("70.0000", "61.0000")
    direct = ok(await client.get(OFFERS, headers=world.direct_customer.headers))
    assert plan_price(direct, BASIC, "P1Y", "annual") == "70.00"


async def test_a_row_that_cannot_be_read_imports_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    csv = (
        "offer_id;term;billing_cycle;currency;list_price;cost\n"
        f"{BASIC};P1M;monthly;EUR;9.99;\n"
        f"{BASIC};P1Y;monthly;EUR;twelve;\n"
        "CFQ7TTC0LH18;P1Y;annual;EUR;99;\n"
    )
    problem = refused(
        await client.post(f"{PRICES}/import", json={"csv": csv}, headers=world.platform.headers)
    )
    assert problem["fields"] == {"csv": "row"}
    message = problem["errors"][0]["message"]
    assert "line 3: a price is not a number" in message
    assert "line 4: the offer is not a Partner Center product and SKU id" in message
    listed = ok(await client.get(PRICES, params={"offer_id": BASIC, "currency": "EUR"},
                                 headers=world.platform.headers))  # fmt: skip
    assert "9.9900" not in {p["list_price"] for p in listed}
    missing = refused(
        await client.post(
            f"{PRICES}/import", json={"csv": "offer,price\nx,1\n"},
            headers=world.platform.headers,
        )
    )  # fmt: skip
    assert missing["fields"] == {"csv": "columns"}
