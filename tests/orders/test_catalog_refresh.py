"""Refreshing the catalog from Partner Center (the sandbox): every page of every listing, what
changed reported, products no longer sold kept and marked (carts holding them say so), and
throttling and failures that change nothing."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.models import CatalogProduct, CatalogRefreshStatus, CatalogTerm, Organization
from tenantry.orders import cart as carts
from tenantry.orders.catalog.tasks import queue_first_refresh
from tests.factories import World
from tests.orders.catalog_factories import BASIC, BASIC_ITEM, PREMIUM

from .catalog_support import (
    Sandbox,
    app,
    client,
    empty_catalog,
    ok,
    refused,
    run_refreshes,
    settings_overrides,
    sqlite_sandbox,
)

__all__ = ["app", "client", "settings_overrides", "sqlite_sandbox"]
REFRESHES = "/api/v1/catalog/refreshes"
# The sandbox's catalog: 7 products, 10 SKUs (3 trials), and their terms billed monthly or
# annually (triennial billing is not sold here).
PRODUCTS, SKUS, TERMS = 7, 10, 4 * 3 + 3 * 5 + 3


async def test_a_refresh_reads_every_page_and_says_what_changed(
    client: httpx.AsyncClient, database: Database, world: World, sqlite_sandbox: Sandbox
) -> None:
    await empty_catalog(database, world)
    await sqlite_sandbox.control("PUT", "/catalog", json={"pageSize": 2})

    queued = ok(await client.post(REFRESHES, headers=world.platform.headers), 202)
    assert (queued["status"], queued["trigger"], queued["country"]) == ("queued", "manual", "DK")
    assert queued["joined_existing"] is False
    again = ok(await client.post(REFRESHES, headers=world.platform.headers), 202)
    assert (again["id"], again["joined_existing"]) == (queued["id"], True)

    [done] = await run_refreshes(database)
    assert done.status is CatalogRefreshStatus.SUCCEEDED, done.error
    assert (done.products, done.skus, done.terms) == (PRODUCTS, SKUS, TERMS)
    assert (done.added, done.changed, done.withdrawn) == (PRODUCTS + SKUS + TERMS, 0, 0)
    detail = ok(await client.get(f"{REFRESHES}/{done.id}", headers=world.platform.headers))
    assert {"change": "added", "kind": "product", "id": "CFQ7TTC0LH18",
            "title": "Microsoft 365 Business Basic"} in detail["changes"]  # fmt: skip
    async with database.transaction(write=False) as session:
        e3_terms = await session.scalars(
            select(CatalogTerm).where(CatalogTerm.product_id == "CFQ7TTC0LFLX")
        )
        assert {(t.term, t.billing_cycle) for t in e3_terms} == {
            ("P1M", "monthly"), ("P1Y", "monthly"), ("P1Y", "annual"), ("P3Y", "monthly"),
            ("P3Y", "annual"),
        }  # fmt: skip

    # Nothing changed in Partner Center: nothing changes here.
    ok(await client.post(REFRESHES, headers=world.platform.headers), 202)
    [unchanged] = await run_refreshes(database)
    assert (unchanged.added, unchanged.changed, unchanged.withdrawn) == (0, 0, 0)


async def test_a_product_no_longer_sold_is_kept_marked_and_the_cart_says_so(
    client: httpx.AsyncClient, database: Database, world: World, sqlite_sandbox: Sandbox
) -> None:
    customer = world.customer_a
    ok(await client.post("/api/v1/cart/items", headers=customer.headers,
                         json={"offer_id": BASIC, "quantity": 3}), 201)  # fmt: skip
    ok(await client.post("/api/v1/cart/items", headers=customer.headers,
                         json={"offer_id": PREMIUM, "quantity": 2}), 201)  # fmt: skip
    await sqlite_sandbox.control("PUT", "/catalog", json={"withdrawnProducts": ["CFQ7TTC0LH18"]})

    ok(await client.post(REFRESHES, headers=world.platform.headers), 202)
    [done] = await run_refreshes(database)
    # The product, its SKU and trial SKU, and their four terms.
    assert (done.withdrawn, done.added, done.products) == (1 + 2 + 4, 0, PRODUCTS - 1)

    async with database.transaction(write=False) as session:
        basic = await session.scalar(
            select(CatalogProduct).where(CatalogProduct.product_id == "CFQ7TTC0LH18")
        )
        assert basic is not None and basic.withdrawn_at is not None  # kept, marked
    cart = ok(await client.get("/api/v1/cart", headers=customer.headers))
    basic_line, premium_line = cart["lines"]
    assert basic_line["problem"]["code"] == "offer_not_sold"
    assert "Microsoft 365 Business Basic is no longer sold" in basic_line["problem"]["message"]
    assert premium_line["problem"] is None
    assert cart["total"] == premium_line["total"]
    offers = ok(await client.get("/api/v1/catalog/offers", headers=customer.headers))
    assert BASIC not in {offer["id"] for offer in offers}
    products = ok(await client.get("/api/v1/catalog/products", headers=world.platform.headers))
    gone = next(p for p in products if p["product_id"] == "CFQ7TTC0LH18")
    assert gone["sold"] is False and gone["withdrawn_at"] is not None
    # The order cannot be placed with the line: the reason is the line's.
    async with database.transaction(write=False) as session:
        organization = await session.get_one(Organization, customer.id)
        loaded = await carts.load(session, organization)
    assert [p.code for p in loaded.problems] == ["offer_not_sold"]

    await sqlite_sandbox.control("PUT", "/catalog", json={"withdrawnProducts": []})
    ok(await client.post(REFRESHES, headers=world.platform.headers), 202)
    [back] = await run_refreshes(database)
    assert (back.returned, back.withdrawn) == (1 + 2 + 4, 0)
    cart = ok(await client.get("/api/v1/cart", headers=customer.headers))
    assert [line["problem"] for line in cart["lines"]] == [None, None]
    assert cart["lines"][0]["catalog_item_id"] == BASIC_ITEM


async def test_throttling_and_server_errors_are_waited_out(
    client: httpx.AsyncClient, database: Database, world: World, sqlite_sandbox: Sandbox
) -> None:
    await empty_catalog(database, world)
    await sqlite_sandbox.control("PUT", "/faults", json={"rules": [
        {"kind": "throttle", "path": "/v1/products", "retryAfter": 1, "times": 1},
        {"kind": "error", "path": "/v1/products/*/skus", "status": 503, "times": 2},
    ]})  # fmt: skip
    ok(await client.post(REFRESHES, headers=world.platform.headers), 202)
    [done] = await run_refreshes(database)
    assert done.status is CatalogRefreshStatus.SUCCEEDED, done.error
    assert done.products == PRODUCTS
    fired = (await sqlite_sandbox.control("GET", "/faults"))["fired"]
    assert sum(fired) == 3, fired


async def test_a_refresh_partner_center_does_not_answer_changes_nothing(
    client: httpx.AsyncClient, database: Database, world: World, sqlite_sandbox: Sandbox
) -> None:
    await sqlite_sandbox.control("PUT", "/faults", json={"rules": [
        {"kind": "error", "path": "/v1/products/CFQ7TTC0LFLX/*", "status": 500},
    ]})  # fmt: skip
    ok(await client.post(REFRESHES, headers=world.platform.headers), 202)
    [failed] = await run_refreshes(database)
    assert failed.status is CatalogRefreshStatus.FAILED
    assert failed.error and "Nothing changed" in failed.error
    async with database.transaction(write=False) as session:
        withdrawn = await session.scalar(
            select(func.count()).select_from(CatalogProduct).where(
                CatalogProduct.withdrawn_at.is_not(None)
            )
        )  # fmt: skip
    assert withdrawn == 0
    listed = ok(await client.get(REFRESHES, headers=world.platform.headers))
    assert [r["status"] for r in listed] == ["failed"]


async def test_only_platform_staff_refresh_and_read_refreshes(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    assert refused(await client.post(REFRESHES, headers=world.reseller_a.headers), 403)
    assert refused(await client.get(REFRESHES, headers=world.customer_a.headers), 403)
    queued = ok(await client.post(REFRESHES, headers=world.platform.headers), 202)
    missing = await client.get(
        f"{REFRESHES}/{queued['id'][:-4]}0000", headers=world.platform.headers
    )
    assert refused(missing, 404)


async def test_a_platform_without_a_refresh_gets_its_first_at_once(
    database: Database, world: World
) -> None:
    async with database.transaction() as session:
        first = await queue_first_refresh(session)
    assert first is not None and first.trigger == "start"
    async with database.transaction() as session:
        assert await queue_first_refresh(session) is None  # one under way: not another
