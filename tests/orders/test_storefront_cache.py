"""The storefront's offers are kept in memory by each process, by the catalog's version: a
change of a price or of the catalog, written by any process, shows on the next visit of every
process, and two databases never share what one of them showed."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from datetime import UTC, datetime
from decimal import Decimal

import httpx
from sqlalchemy import delete, select, update

from tenantry.db import Database
from tenantry.models import CatalogPrice, CatalogSku, CatalogVersion
from tenantry.orders.catalog import offers
from tenantry.orders.catalog.pricing import Buyer
from tests.factories import World
from tests.orders.catalog_factories import BASIC

from .catalog_support import ok
from .test_catalog_prices import OFFERS, plan_price

# Another process: sets Business Basic's EUR price for a year billed monthly through the ORM.
OTHER_PROCESS = textwrap.dedent(
    """
    import asyncio, sys
    from decimal import Decimal
    from sqlalchemy import delete, select, update
    from tenantry.db import Database
    from tenantry.models import CatalogPrice
    from tenantry.settings import Settings

    async def main(url: str, price: str) -> None:
        database = Database(Settings(database_url=url, environment="test"))
        async with database.transaction() as session:
            row = await session.scalar(
                select(CatalogPrice).where(
                    CatalogPrice.product_id == "CFQ7TTC0LH18", CatalogPrice.sku_id == "0001",
                    CatalogPrice.term == "P1Y", CatalogPrice.billing_cycle == "monthly",
                    CatalogPrice.currency == "EUR",
                )
            )
            row.list_price = Decimal(price)
        await database.dispose()

    asyncio.run(main(sys.argv[1], sys.argv[2]))
    """
)


async def _set_price_in_another_process(database: Database, price: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", OTHER_PROCESS, database.url, price,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, output.decode()


async def _token(database: Database, world: World) -> str | None:
    async with database.transaction(write=False) as session:
        return await session.scalar(
            select(CatalogVersion.token).where(CatalogVersion.platform_id == world.platform.id)
        )


async def test_a_price_changed_by_another_process_shows_on_the_next_visit(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    before = await _token(database, world)
    assert before is not None  # the world's catalog was written, so it has a version
    seen = ok(await client.get(OFFERS, headers=world.direct_customer.headers))
    assert plan_price(seen, BASIC, "P1Y", "monthly") == "5.64"
    assert plan_price(ok(await client.get(OFFERS, headers=world.direct_customer.headers)), BASIC,
                      "P1Y", "monthly") == "5.64"  # fmt: skip

    await _set_price_in_another_process(database, "6.10")

    assert await _token(database, world) not in (None, before)
    seen = ok(await client.get(OFFERS, headers=world.direct_customer.headers))
    assert plan_price(seen, BASIC, "P1Y", "monthly") == "6.10"


async def test_a_withdrawn_offer_leaves_the_storefront_at_once(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    assert BASIC in {o["id"] for o in ok(await client.get(OFFERS, headers=world.platform.headers))}
    async with database.transaction() as session:
        sku = await session.scalar(
            select(CatalogSku).where(
                CatalogSku.platform_id == world.platform.id,
                CatalogSku.product_id == "CFQ7TTC0LH18", CatalogSku.sku_id == "0001",
            )
        )  # fmt: skip
        assert sku is not None
        sku.withdrawn_at = datetime.now(UTC)
    offered = {o["id"] for o in ok(await client.get(OFFERS, headers=world.platform.headers))}
    assert BASIC not in offered


async def test_a_flush_that_changes_nothing_keeps_the_version(
    database: Database, world: World
) -> None:
    before = await _token(database, world)
    async with database.transaction() as session:
        row = await session.scalar(select(CatalogPrice).limit(1))
        assert row is not None
        row.list_price = Decimal(row.list_price)  # the same value: nothing to write
    assert await _token(database, world) == before


async def test_an_entry_answers_only_for_the_version_it_was_read_at(
    database: Database, world: World
) -> None:
    """Entries are keyed by the version's random token, not by the platform alone: the cache of
    one database is never answered for another that has the same platform id (a copy, a test's)."""
    buyer = Buyer(platform_id=world.platform.id, currency="EUR")
    async with database.transaction(write=False) as session:
        first = await offers.storefront(session, buyer)
    assert first
    async with database.transaction() as session:
        await session.execute(update(CatalogVersion).values(token="f" * 32))
    async with database.transaction(write=False) as session:
        assert await offers.storefront(session, buyer) == first
    # A statement that writes the table directly, not through objects, changes the version too.
    async with database.transaction() as session:
        await session.execute(delete(CatalogPrice))
    assert await _token(database, world) != "f" * 32
    async with database.transaction(write=False) as session:
        assert await offers.storefront(session, buyer) == []
