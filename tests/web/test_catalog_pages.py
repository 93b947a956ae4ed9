"""The catalog's pages for platform staff: the catalog with its last refresh and "Refresh the
catalog", the price list of a currency (errors beside the price that caused them) with its CSV
import and export, and the markups; and the store's offer page with its plans and limits."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from tenantry.db import Database
from tenantry.models import AuditEvent, CatalogPrice, CatalogRefresh
from tests.factories import World
from tests.orders.catalog_factories import BASIC
from tests.web.conftest import People, post_form, sign_in
from tests.web.html import Page

LIST_FIELD = f"list:{BASIC}:P1M:monthly"


def text_of(response: httpx.Response) -> str:
    return " ".join(Page(response.text).find("main").text.split())


async def test_staff_see_the_catalog_and_refresh_it(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    await sign_in(client, people.platform_admin.email)
    page = await client.get("/catalog")
    assert page.status_code == 200, page.text
    said = text_of(page)
    assert "Microsoft 365 Business Basic CFQ7TTC0LH18" in said
    assert "Not in GBP, DKK, NOK, SEK: no price." in said  # the world prices EUR and USD
    assert "No: trials are not sold in the store" in said
    assert any(a.get("href") == "/catalog" for a in Page(page.text).find_all("a"))

    queued = await post_form(client, "/catalog/refresh")
    assert (queued.status_code, queued.headers["location"]) == (303, "/catalog?done=queued")
    joined = await post_form(client, "/catalog/refresh")
    assert joined.headers["location"] == "/catalog?done=joined"
    assert "Refresh queued" in text_of(await client.get("/catalog?done=queued"))
    async with database.transaction(write=False) as session:
        [refresh] = list(await session.scalars(select(CatalogRefresh)))
        audited = await session.scalar(
            select(AuditEvent.action).where(AuditEvent.action == "catalog.refresh_requested")
        )
    assert refresh.requested_by and people.platform_admin.email in refresh.requested_by
    assert audited == "catalog.refresh_requested"
    detail = await client.get(f"/catalog/refreshes/{refresh.id}")
    assert "StatusQueued" in text_of(detail).replace(" ", "")


async def test_a_price_is_saved_from_the_page_and_a_bad_one_is_shown_beside_its_field(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    await sign_in(client, people.platform_admin.email)
    page = Page((await client.get("/catalog/prices?currency=GBP")).text)
    assert page.field(LIST_FIELD)["value"] == ""

    wrong = await post_form(
        client,
        "/catalog/prices",
        {"currency": "GBP", LIST_FIELD: "five", f"cost:{BASIC}:P1M:monthly": "4"},
    )
    assert wrong.status_code == 422
    shown = Page(wrong.text)
    field = shown.field(LIST_FIELD)
    assert field["value"] == "five" and field["aria-invalid"] == "true"
    assert (
        "enter a price of 0 or more, like 12.50"
        in shown.by_id(field["aria-describedby"]).text.lower()
    )

    saved = await post_form(client, "/catalog/prices", {"currency": "GBP", LIST_FIELD: "5.69"})
    assert saved.status_code == 303
    assert saved.headers["location"] == "/catalog/prices?currency=GBP&done=prices"
    page = Page((await client.get("/catalog/prices?currency=GBP")).text)
    assert page.field(LIST_FIELD)["value"] == "5.69"
    export = await client.get("/catalog/prices.csv")
    assert f"{BASIC},P1M,monthly,GBP,5.69," in export.text

    imported = await post_form(
        client, "/catalog/prices/import",
        {"csv": f"offer_id,term,billing_cycle,currency,list_price\n{BASIC},P1Y,monthly,GBP,4.74\n"},
    )  # fmt: skip
    assert imported.status_code == 200
    assert "Imported 1 rows: 1 prices added" in text_of(imported)
    async with database.transaction(write=False) as session:
        gbp = list(
            await session.scalars(select(CatalogPrice).where(CatalogPrice.currency == "GBP"))
        )
    assert sorted(str(p.list_price) for p in gbp) == ["4.7400", "5.6900"]


async def test_markups_are_saved_from_the_page(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    await sign_in(client, people.platform_admin.email)
    reseller = f"reseller:{world.reseller_a.id}"
    wrong = await post_form(client, "/catalog/markups", {reseller: "-100"})
    assert wrong.status_code == 422
    assert Page(wrong.text).field(reseller)["aria-invalid"] == "true"
    saved = await post_form(client, "/catalog/markups", {reseller: "7.5"})
    assert saved.headers["location"] == "/catalog/markups?done=markups"
    assert Page((await client.get("/catalog/markups")).text).field(reseller)["value"] == "7.50"


async def test_resellers_have_no_catalog_pages(client: httpx.AsyncClient, people: People) -> None:
    await sign_in(client, people.reseller_admin.email)
    for path in ("/catalog", "/catalog/prices", "/catalog/markups", "/catalog/prices.csv"):
        assert (await client.get(path)).status_code == 403, path
    assert (await post_form(client, "/catalog/refresh")).status_code == 403


async def test_the_offer_page_shows_its_plans_and_refuses_a_plan_it_is_not_sold_on(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.customer_admin.email)
    offer = await client.get("/store/offers/CFQ7TTC0LFLX-0001")
    said = text_of(offer)
    assert "3-year term, billed annually" in said and "EUR 406.08 per year" in said
    assert "Sold in quantities of 1 to 50000 licenses." in said
    refused = await post_form(
        client, "/cart/add",
        {"offer": "CFQ7TTC0LFLX-0001", "term": "P1M", "billing_cycle": "annual", "quantity": "0"},
    )  # fmt: skip
    assert refused.status_code == 422
    page = Page(refused.text)
    assert page.field("billing_cycle")["aria-invalid"] == "true"
    assert page.field("quantity")["aria-invalid"] == "true"
    assert "on a 1-month term microsoft 365 e3 is billed monthly" in text_of(refused).lower()
