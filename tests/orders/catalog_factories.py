"""The catalog without Partner Center: the sandbox's catalog (the same products, SKUs and terms a
refresh reads from it) applied to a platform's tables, and the demo price list."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.db import Database
from tenantry.demo.catalog import price_list
from tenantry.models import CatalogPrice, CatalogRefreshTrigger, Organization, utcnow
from tenantry.orders import cart as carts
from tenantry.orders.catalog import terms
from tenantry.orders.catalog.listing import ListedProduct, ListedSku, ListedTerm, Listing
from tenantry.orders.catalog.refresh import apply_listing, request_refresh
from tenantry_sandbox.catalog_data import PRODUCTS
from tenantry_sandbox.store.catalog import billing_cycles_of
from tests.factories import World

BASIC = "CFQ7TTC0LH18:0001"
STANDARD = "CFQ7TTC0LDPB:0001"
PREMIUM = "CFQ7TTC0LCHC:0001"
E3 = "CFQ7TTC0LFLX:0001"
BASIC_ITEM = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"


def sandbox_listing(country: str = "DK", *, leave_out: Iterable[str] = ()) -> Listing:
    """What a refresh reads from the sandbox (``leave_out``: product ids it no longer lists)."""
    listing = Listing(country)
    for product in PRODUCTS:
        if product.id in set(leave_out):
            continue
        listed = ListedProduct(
            product.id, product.title, product.description, product.product_type,
            product.publisher_name,
        )  # fmt: skip
        for sku in product.skus:
            entry = ListedSku(
                sku.id, sku.title, sku.description, sku.minimum_quantity, sku.maximum_quantity,
                sku.is_trial,
            )  # fmt: skip
            for duration in sku.term_durations:
                for raw in billing_cycles_of(sku, duration):
                    cycle = terms.cycle_of(raw)
                    if cycle is not None:
                        entry.terms[(duration, cycle)] = ListedTerm(
                            duration, cycle, sku.availability_id
                        )
            listed.skus[sku.id] = entry
        listing.products[product.id] = listed
    return listing


async def seed_catalog(
    session: AsyncSession, platform_id: uuid.UUID, currencies: Iterable[str] = ("EUR", "USD")
) -> None:
    """The sandbox's catalog in the platform's tables, and the demo's prices in ``currencies``."""
    await apply_listing(session, platform_id, sandbox_listing(), utcnow())
    for entry in price_list(list(currencies)):
        product_id, sku_id = entry.offer_id.split(":")
        session.add(
            CatalogPrice(
                platform_id=platform_id, product_id=product_id, sku_id=sku_id, term=entry.term,
                billing_cycle=entry.billing_cycle, currency=entry.currency,
                list_price=entry.list_price, cost=entry.cost,
            )
        )  # fmt: skip
    await session.flush()


async def catalog_refresh(database: Database, world: World) -> uuid.UUID:
    """A refresh of the world's platform, queued by its admin."""
    async with database.transaction() as session:
        refresh, _ = await request_refresh(
            session, world.platform.id, CatalogRefreshTrigger.MANUAL, world.platform.actor
        )
        return refresh.id


async def cart_line(database: Database, world: World, offer_id: str = BASIC) -> uuid.UUID:
    """A line of three licenses in A's customer's cart."""
    async with database.transaction() as session:
        organization = await session.get_one(Organization, world.customer_a.id)
        item = await carts.add(
            session, world.customer_a.actor, organization, offer_id, term=None,
            billing_cycle=None, quantity=3,
        )  # fmt: skip
        return item.id
