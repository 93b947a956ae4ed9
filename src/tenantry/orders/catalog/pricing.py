"""What a buyer pays: the platform's list price in the buyer's currency, with the markups of the
buyer's segment and of its reseller.

The two markups multiply: ``list * (1 + segment %) * (1 + reseller %)``, rounded to the cent
(half up) per license. The segment markup is the platform's price for a kind of customer (a
discount for education is a negative one); the reseller markup is the reseller's share on top,
whatever the segment. A customer in several segments with a markup gets the lowest of them.
A visitor of a storefront who has not signed in sees the storefront's prices: its reseller's
markup, no segment's, in the seller's currency.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import (
    CatalogMarkup,
    Organization,
    OrganizationKind,
    PlatformConfig,
    organization_segments,
)

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Buyer:
    """Whose prices to show: the platform's catalog, in ``currency``, with these markups."""

    platform_id: uuid.UUID
    currency: str
    segment_markup: Decimal | None = None
    reseller_markup: Decimal | None = None
    # The seller's name, for "ask <seller>" when something has no price.
    seller_name: str = "your seller"

    def price(self, list_price: Decimal) -> Decimal:
        return customer_price(list_price, self.segment_markup, self.reseller_markup)


def customer_price(
    list_price: Decimal, segment_markup: Decimal | None, reseller_markup: Decimal | None
) -> Decimal:
    price = list_price
    for markup in (segment_markup, reseller_markup):
        if markup is not None:
            price = price * (HUNDRED + markup) / HUNDRED
    return price.quantize(CENT, ROUND_HALF_UP)


async def allowed_currencies(session: AsyncSession, platform_id: uuid.UUID) -> list[str] | None:
    """The currencies the platform sells in; None when it allows any."""
    config = await session.get(PlatformConfig, platform_id)
    return list(config.allowed_currencies) if config and config.allowed_currencies else None


async def reseller_markup(session: AsyncSession, seller: Organization | None) -> Decimal | None:
    if seller is None or seller.kind is not OrganizationKind.RESELLER:
        return None
    found: Decimal | None = await session.scalar(
        select(CatalogMarkup.percent).where(
            CatalogMarkup.platform_id == seller.platform_id,
            CatalogMarkup.reseller_id == seller.id,
        )
    )
    return found


async def segment_markup(session: AsyncSession, organization: Organization) -> Decimal | None:
    found: Decimal | None = await session.scalar(
        select(func.min(CatalogMarkup.percent))
        .join(
            organization_segments,
            organization_segments.c.segment_id == CatalogMarkup.segment_id,
        )
        .where(
            CatalogMarkup.platform_id == organization.platform_id,
            organization_segments.c.organization_id == organization.id,
        )
    )
    return found


async def customer_buyer(session: AsyncSession, customer: Organization) -> Buyer:
    """A customer pays in its own currency, with its segment's and its reseller's markups."""
    seller = await session.get(Organization, customer.parent_id) if customer.parent_id else None
    return Buyer(
        platform_id=customer.platform_id,
        currency=customer.preferred_currency,
        segment_markup=await segment_markup(session, customer),
        reseller_markup=await reseller_markup(session, seller),
        seller_name=seller.display_name if seller else "your seller",
    )


async def storefront_buyer(session: AsyncSession, seller: Organization) -> Buyer:
    """Someone looking at ``seller``'s storefront without buying for a customer."""
    return Buyer(
        platform_id=seller.platform_id,
        currency=seller.preferred_currency,
        reseller_markup=await reseller_markup(session, seller),
        seller_name=seller.display_name,
    )


async def buyer_for(session: AsyncSession, organization: Organization) -> Buyer:
    """The customer's own prices, or a seller's storefront prices."""
    if organization.kind is OrganizationKind.CUSTOMER:
        return await customer_buyer(session, organization)
    return await storefront_buyer(session, organization)
