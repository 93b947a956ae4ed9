"""Lookups over the static catalog (``tenantry_sandbox.catalog_data``) and the arithmetic of its
terms and prices.

Ids are matched without case, as Partner Center does (``cfq7ttc0lh18`` finds ``CFQ7TTC0LH18``).
A catalog item id is ``product:sku:availability``; legacy offers have plain GUID (or
``MS-AZR-...``) ids.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from tenantry_sandbox.binding import enum_key
from tenantry_sandbox.catalog_data import (
    CURRENCIES,
    LEGACY_OFFERS,
    MONTHLY_TERM_PREMIUM,
    PRODUCTS,
    CatalogProduct,
    CatalogSku,
    LegacyOffer,
)

# Target views that list the new-commerce license products, and the other documented views
# (valid, but the sandbox sells nothing in them).
LICENSE_VIEWS = frozenset({"onlineservices", "onlineservicesnce"})
OTHER_VIEWS = frozenset(
    {
        "azure",
        "azurereservations",
        "azurereservationsvm",
        "azurereservationssql",
        "azurereservationscosmosdb",
        "microsoftazure",
        "software",
        "softwaresuselinux",
        "softwareperpetual",
        "softwaresubscriptions",
        "specializedoffers",
        "marketplacesaas",
    }
)
# The sandbox's partner is authorised for the commercial segment only.
SEGMENTS = frozenset({"commercial"})
CENT = Decimal("0.01")


@dataclass(frozen=True)
class CatalogItem:
    """One purchasable item: a product's SKU in its (single) availability."""

    product: CatalogProduct
    sku: CatalogSku

    @property
    def id(self) -> str:
        return f"{self.product.id}:{self.sku.id}:{self.sku.availability_id}"

    @property
    def product_sku(self) -> str:
        return f"{self.product.id}:{self.sku.id}"


def find_product(product_id: str) -> CatalogProduct | None:
    wanted = product_id.strip().upper()
    return next((p for p in PRODUCTS if p.id == wanted), None)


def find_sku(product: CatalogProduct, sku_id: str) -> CatalogSku | None:
    wanted = sku_id.strip().upper()
    return next((s for s in product.skus if s.id == wanted), None)


def by_product_sku(reference: str) -> CatalogItem | None:
    """``CFQ7TTC0LH18:0001`` (how upgrade targets name an item) to its catalog item."""
    product_id, _, sku_id = reference.partition(":")
    product = find_product(product_id)
    sku = find_sku(product, sku_id) if product else None
    return CatalogItem(product, sku) if product and sku else None


def legacy_offer(offer_id: str) -> LegacyOffer | None:
    wanted = offer_id.strip().upper()
    return next((o for o in LEGACY_OFFERS if o.id == wanted), None)


def products_in_view(target_view: str) -> list[CatalogProduct] | None:
    """The products of a documented target view; None for a view Partner Center doesn't have."""
    view = enum_key(target_view)
    if view in LICENSE_VIEWS:
        return list(PRODUCTS)
    return [] if view in OTHER_VIEWS else None


def segment_allowed(segment: str | None) -> bool:
    return segment is None or enum_key(segment) in SEGMENTS


def currency_of(country: str) -> tuple[str, str] | None:
    """ISO 4217 code and symbol of a market, or None where the sandbox does not sell."""
    return CURRENCIES.get(country.strip().upper())


# ----------------------------------------------------------------------------------- terms


def term_months(duration: str) -> int:
    return {"P1M": 1, "P1Y": 12, "P3Y": 36}[duration.upper()]


def billing_cycles_of(sku: CatalogSku, duration: str) -> tuple[str, ...]:
    """Billing cycles a term can be paid in (a trial costs nothing: ``none`` or ``monthly``).
    A three-year term is paid monthly, yearly or all at once (``triennial``), as in new
    commerce."""
    if sku.is_trial:
        return ("monthly", "none")
    return {"P1Y": ("monthly", "annual"), "P3Y": ("monthly", "annual", "triennial")}.get(
        duration.upper(), ("monthly",)
    )


CYCLE_MONTHS = {"monthly": 1, "annual": 12, "triennial": 36}


def term_id(availability_id: str, duration: str, cycle: str) -> str:
    """A stable opaque term id, shaped like Partner Center's (``5aeco6mffyxo``)."""
    digest = hashlib.sha256(f"{availability_id}:{duration}:{cycle}".encode()).hexdigest()
    return digest[:12]


def add_months(start: datetime, months: int) -> datetime:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def term_end(start: datetime, duration: str) -> datetime:
    """Last day of a term that starts at ``start`` (midnight UTC, as commitmentEndDate shows)."""
    end = add_months(start, term_months(duration)) - timedelta(days=1)
    return end.replace(hour=0, minute=0, second=0, microsecond=0)


# ----------------------------------------------------------------------------------- prices


@dataclass(frozen=True)
class LinePrice:
    """Per billing period and for the whole term, before tax (cart and order ``pricing``)."""

    unit: Decimal
    extended: Decimal


def price_of(sku: CatalogSku, duration: str, cycle: str, quantity: int) -> LinePrice:
    monthly = sku.monthly_price
    if duration.upper() == "P1M":
        monthly = monthly * MONTHLY_TERM_PREMIUM
    months = term_months(duration)
    periods = max(1, months // CYCLE_MONTHS.get(enum_key(cycle), months))
    unit = (monthly * months / periods).quantize(CENT, ROUND_HALF_UP)
    return LinePrice(unit=unit, extended=(unit * quantity * periods).quantize(CENT))
