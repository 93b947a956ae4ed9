"""Offers as a buyer sees them: the catalog's SKUs with their plans (term and billing cycle) and
the buyer's price of each, read from the catalog tables and the price list.

An offer is sold when Partner Center still lists its product and SKU; a plan is offered when
Partner Center still lists that term and billing cycle and the price list has a price for it in
the buyer's currency. Trials are not sold here (they cost nothing and convert in Partner Center).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import NotFound
from tenantry.models import (
    CatalogPrice,
    CatalogProduct,
    CatalogSku,
    CatalogTerm,
    CatalogVersion,
)
from tenantry.orders.catalog import terms
from tenantry.orders.catalog.pricing import Buyer


@dataclass(frozen=True)
class Plan:
    term: str
    billing_cycle: str
    catalog_item_id: str
    # Partner Center still lists this term and billing cycle.
    sold: bool
    # The buyer's price of one license per billing period; None: no price in its currency.
    unit_price: Decimal | None

    @property
    def offered(self) -> bool:
        return self.sold and self.unit_price is not None

    @property
    def key(self) -> str:
        return f"{self.term}:{self.billing_cycle}"

    @property
    def label(self) -> str:
        return terms.plan_label(self.term, self.billing_cycle)

    @property
    def period(self) -> str:
        """What the price is for: ``month`` or ``year``."""
        return terms.PERIODS[self.billing_cycle]


@dataclass(frozen=True)
class Offer:
    id: str  # product:sku
    product_id: str
    sku_id: str
    title: str
    summary: str
    minimum_quantity: int
    maximum_quantity: int
    is_trial: bool
    # Partner Center still lists the product and the SKU.
    sold: bool
    currency: str
    plans: tuple[Plan, ...]

    @property
    def slug(self) -> str:
        """The offer's id as it appears in addresses (``CFQ7TTC0LH18-0001``)."""
        return self.id.replace(":", "-")

    @property
    def offered_plans(self) -> list[Plan]:
        return [plan for plan in self.plans if plan.offered] if self.for_sale_at_all else []

    @property
    def for_sale_at_all(self) -> bool:
        return self.sold and not self.is_trial

    @property
    def offered(self) -> bool:
        """In the storefront: sold, not a trial, and priced on at least one plan."""
        return bool(self.offered_plans)

    @property
    def default_plan(self) -> Plan | None:
        offered = self.offered_plans
        return offered[0] if offered else None

    def plan(self, term: str, billing_cycle: str) -> Plan | None:
        return next(
            (p for p in self.plans if (p.term, p.billing_cycle) == (term, billing_cycle)), None
        )


def offer_id_of(slug: str) -> str:
    """``CFQ7TTC0LH18-0001`` (an address) or ``CFQ7TTC0LH18:0001`` to the offer id."""
    product_id, separator, sku_id = slug.strip().replace(":", "-").rpartition("-")
    if not separator or not product_id or not sku_id:
        raise NotFound(f"there is no offer {slug} in the catalog")
    return f"{product_id.upper()}:{sku_id.upper()}"


async def load(
    session: AsyncSession, buyer: Buyer, offer_ids: Collection[str] | None = None
) -> dict[str, Offer]:
    """The platform's offers (all of them, or those named), sold or not, by offer id.

    Read as columns, not ORM objects, with statements built once (:func:`_statements`): the
    storefront asks this on every visit, and loading the catalog's rows as objects (their ids,
    times and identity), or building the statements again, cost more than the queries."""
    values: dict[str, Any] = {"platform_id": buyer.platform_id, "currency": buyer.currency}
    if offer_ids is not None:
        keys = [(p, s) for p, _, s in (i.partition(":") for i in offer_ids) if p and s]
        if not keys:
            return {}
        values["keys"] = keys
    skus, terms_query, prices_query = _statements(named=offer_ids is not None)
    rows = (await session.execute(skus, values)).all()
    prices = {
        (f"{p.product_id}:{p.sku_id}", p.term, p.billing_cycle): p.list_price
        for p in await session.execute(prices_query, values)
    }
    plans = _plans(buyer, await session.execute(terms_query, values), prices)
    offers: dict[str, Offer] = {}
    for row in rows:
        offer_id = f"{row.product_id}:{row.sku_id}"
        offers[offer_id] = Offer(
            id=offer_id,
            product_id=row.product_id,
            sku_id=row.sku_id,
            title=row.title or row.product_title,
            summary=row.product_summary or row.description,
            minimum_quantity=row.minimum_quantity,
            maximum_quantity=row.maximum_quantity,
            is_trial=row.is_trial,
            sold=row.withdrawn_at is None and row.product_withdrawn_at is None,
            currency=buyer.currency,
            plans=tuple(plans.get(offer_id, [])),
        )
    return offers


@functools.cache
def _statements(*, named: bool) -> tuple[Select[Any], Select[Any], Select[Any]]:
    """The SKUs (with their product), their terms and their prices in the buyer's currency, of
    the platform (``platform_id``, ``currency``) or, when ``named``, of the offers ``keys``
    ((product id, SKU id) pairs) only."""
    sku, product = CatalogSku.__table__.c, CatalogProduct.__table__.c
    term, price = CatalogTerm.__table__.c, CatalogPrice.__table__.c
    skus = (
        select(
            sku.product_id, sku.sku_id, sku.title, sku.description, sku.minimum_quantity,
            sku.maximum_quantity, sku.is_trial, sku.withdrawn_at,
            product.title.label("product_title"), product.description.label("product_summary"),
            product.withdrawn_at.label("product_withdrawn_at"),
        )
        .join_from(
            CatalogSku, CatalogProduct,
            (product.platform_id == sku.platform_id) & (product.product_id == sku.product_id),
        )
        .where(sku.platform_id == bindparam("platform_id"))
        .order_by(product.title, sku.title, sku.sku_id)
    )  # fmt: skip
    terms_query = select(
        term.product_id, term.sku_id, term.availability_id, term.term, term.billing_cycle,
        term.withdrawn_at,
    ).where(term.platform_id == bindparam("platform_id"))  # fmt: skip
    prices_query = select(
        price.product_id, price.sku_id, price.term, price.billing_cycle, price.list_price
    ).where(price.platform_id == bindparam("platform_id"), price.currency == bindparam("currency"))
    if named:
        skus = skus.where(tuple_(sku.product_id, sku.sku_id).in_(bindparam("keys", expanding=True)))
        terms_query = terms_query.where(
            tuple_(term.product_id, term.sku_id).in_(bindparam("keys", expanding=True))
        )
        prices_query = prices_query.where(
            tuple_(price.product_id, price.sku_id).in_(bindparam("keys", expanding=True))
        )
    return skus, terms_query, prices_query


def _plans(
    buyer: Buyer, terms_rows: Iterable[Any], prices: dict[tuple[str, str, str], Decimal]
) -> dict[str, list[Plan]]:
    found: dict[str, list[Plan]] = {}
    for row in terms_rows:
        offer_id = f"{row.product_id}:{row.sku_id}"
        list_price = prices.get((offer_id, row.term, row.billing_cycle))
        found.setdefault(offer_id, []).append(
            Plan(
                term=row.term,
                billing_cycle=row.billing_cycle,
                catalog_item_id=f"{offer_id}:{row.availability_id}",
                sold=row.withdrawn_at is None,
                unit_price=None if list_price is None else buyer.price(list_price),
            )
        )
    for plans in found.values():
        plans.sort(key=lambda p: (terms.plan_order(p.term, p.billing_cycle), p.term))
    return found


# The storefront's offers by (buyer's catalog and prices, catalog version); a handful of
# currencies and markups per platform, so a small bound, emptied when reached, is enough.
_storefronts: dict[tuple[Buyer, str], tuple[Offer, ...]] = {}
STOREFRONTS_KEPT = 64


async def storefront(session: AsyncSession, buyer: Buyer) -> list[Offer]:
    """What the storefront lists: offers sold and priced for the buyer, by title.

    Kept in memory by the catalog's version (``models.catalog.CatalogVersion``), read first on
    every call: a transaction that changes the catalog or a price gives it a new token, so every
    process answers from the committed catalog once it is committed. The version is read before
    the catalog, so an entry is never older than its token (at worst newer, which is harmless).
    The markups are part of ``buyer``, so a changed markup is another entry, not a stale one."""
    token: str | None = await session.scalar(_version_query(), {"platform_id": buyer.platform_id})
    if token is None:  # no version yet (nothing written since the table came to be): no entry
        return list(await _offered(session, buyer))
    key = (replace(buyer, seller_name=""), token)
    found = _storefronts.get(key)
    if found is None:
        found = await _offered(session, buyer)
        if len(_storefronts) >= STOREFRONTS_KEPT:
            _storefronts.clear()  # one step, safe should two threads' loops share this
        _storefronts[key] = found
    return list(found)


async def _offered(session: AsyncSession, buyer: Buyer) -> tuple[Offer, ...]:
    return tuple(offer for offer in (await load(session, buyer)).values() if offer.offered)


@functools.cache
def _version_query() -> Select[Any]:
    versions = CatalogVersion.__table__.c
    return select(versions.token).where(versions.platform_id == bindparam("platform_id"))


async def by_slug(session: AsyncSession, buyer: Buyer, slug: str) -> Offer:
    """One offer (sold or not, so an old link still says what became of it); 404 when the
    catalog never listed it."""
    offer_id = offer_id_of(slug)
    offer = (await load(session, buyer, [offer_id])).get(offer_id)
    if offer is None:
        raise NotFound(f"there is no offer {slug} in the catalog")
    return offer
