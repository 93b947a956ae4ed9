"""The catalog as platform staff read it: every product, SKU and term Partner Center listed (sold
or withdrawn), which allowed currencies leave a SKU without any price (so it is not offered to
customers paying in them), and the refreshes with what they changed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import NotFound
from tenantry.models import (
    CatalogPrice,
    CatalogProduct,
    CatalogRefresh,
    CatalogRefreshStatus,
    CatalogSku,
    CatalogTerm,
)
from tenantry.orders.catalog import terms
from tenantry.orders.catalog.pricing import allowed_currencies
from tenantry.security import Actor, Permission, require

RECENT_REFRESHES = 20


@dataclass
class SkuView:
    sku: CatalogSku
    terms: list[CatalogTerm] = field(default_factory=list)
    unpriced_currencies: list[str] = field(default_factory=list)

    @property
    def offer_id(self) -> str:
        return self.sku.offer_id

    @property
    def offered_to_customers(self) -> bool:
        return self.sku.sold and not self.sku.is_trial


@dataclass
class ProductView:
    product: CatalogProduct
    skus: list[SkuView] = field(default_factory=list)


async def catalog(session: AsyncSession, actor: Actor) -> list[ProductView]:
    """Products by title, each with its SKUs and their terms (sold ones first)."""
    require(actor, Permission.CATALOG_MANAGE)
    platform_id = actor.platform_id
    products = await session.scalars(
        select(CatalogProduct)
        .where(CatalogProduct.platform_id == platform_id)
        .order_by(CatalogProduct.withdrawn_at.is_not(None), CatalogProduct.title)
    )
    views = {p.product_id: ProductView(p) for p in products}
    skus: dict[str, SkuView] = {}
    for sku in await session.scalars(
        select(CatalogSku)
        .where(CatalogSku.platform_id == platform_id)
        .order_by(CatalogSku.is_trial, CatalogSku.title, CatalogSku.sku_id)
    ):
        if sku.product_id in views:
            skus[sku.offer_id] = SkuView(sku)
            views[sku.product_id].skus.append(skus[sku.offer_id])
    for row in await session.scalars(
        select(CatalogTerm).where(CatalogTerm.platform_id == platform_id)
    ):
        view = skus.get(f"{row.product_id}:{row.sku_id}")
        if view is not None:
            view.terms.append(row)
    priced = await _priced_currencies(session, platform_id)
    currencies = await allowed_currencies(session, platform_id) or sorted(
        {c for found in priced.values() for c in found}
    )
    for view in skus.values():
        view.terms.sort(
            key=lambda t: (t.withdrawn_at is not None, terms.plan_order(t.term, t.billing_cycle))
        )
        if view.offered_to_customers:
            have = priced.get(view.offer_id, set())
            view.unpriced_currencies = [c for c in currencies if c not in have]
    return list(views.values())


async def _priced_currencies(session: AsyncSession, platform_id: uuid.UUID) -> dict[str, set[str]]:
    """Per offer, the currencies in which at least one of its sold plans has a price."""
    sold = {
        (t.product_id, t.sku_id, t.term, t.billing_cycle)
        for t in await session.scalars(
            select(CatalogTerm).where(
                CatalogTerm.platform_id == platform_id, CatalogTerm.withdrawn_at.is_(None)
            )
        )
    }
    found: dict[str, set[str]] = {}
    for price in await session.scalars(
        select(CatalogPrice).where(CatalogPrice.platform_id == platform_id)
    ):
        if (price.product_id, price.sku_id, price.term, price.billing_cycle) in sold:
            found.setdefault(price.offer_id, set()).add(price.currency)
    return found


async def refreshes(
    session: AsyncSession, actor: Actor, limit: int = RECENT_REFRESHES
) -> list[CatalogRefresh]:
    """The newest refreshes of the platform's catalog first."""
    require(actor, Permission.CATALOG_MANAGE)
    return list(
        await session.scalars(
            select(CatalogRefresh)
            .where(CatalogRefresh.platform_id == actor.platform_id)
            .order_by(CatalogRefresh.created_at.desc(), CatalogRefresh.id.desc())
            .limit(limit)
        )
    )


async def last_success(session: AsyncSession, actor: Actor) -> CatalogRefresh | None:
    require(actor, Permission.CATALOG_MANAGE)
    found: CatalogRefresh | None = await session.scalar(
        select(CatalogRefresh)
        .where(
            CatalogRefresh.platform_id == actor.platform_id,
            CatalogRefresh.status == CatalogRefreshStatus.SUCCEEDED,
        )
        .order_by(CatalogRefresh.finished_at.desc())
        .limit(1)
    )
    return found


async def refresh(session: AsyncSession, actor: Actor, refresh_id: uuid.UUID) -> CatalogRefresh:
    """One refresh of the actor's platform (404 for any other, and for anyone but the
    platform's people, whose scope refreshes are not)."""
    found = await session.get(CatalogRefresh, refresh_id)
    if found is None or found.platform_id != actor.platform_id or not actor.is_platform:
        raise NotFound(f"catalog refresh {refresh_id} not found")
    require(actor, Permission.CATALOG_MANAGE)
    return found
