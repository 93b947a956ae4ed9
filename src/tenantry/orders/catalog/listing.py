"""Reading the catalog of a market from Partner Center: the new-commerce license products
(``OnlineServicesNCE`` view, commercial segment), their SKUs, and the terms and billing cycles
of the SKUs' availabilities.

Only what Tenantry sells is kept: terms P1M, P1Y and P3Y billed monthly or annually, on
purchasable availabilities. A product or SKU that disappears between the listing and the next
call (404) is taken as not listed. Throttling and server errors are the client's to wait out;
what it gives up on ends the reading with nothing applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tenantry.orders.catalog import terms
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.partnercenter.errors import NotFound
from tenantry.partnercenter.models import Availability, Product, Sku

TARGET_VIEW = "OnlineServicesNCE"
TARGET_SEGMENT = "commercial"
TITLE_LENGTH = 300


@dataclass(frozen=True)
class ListedTerm:
    term: str
    billing_cycle: str
    availability_id: str


@dataclass
class ListedSku:
    sku_id: str
    title: str
    description: str
    minimum_quantity: int
    maximum_quantity: int
    is_trial: bool
    terms: dict[tuple[str, str], ListedTerm] = field(default_factory=dict)


@dataclass
class ListedProduct:
    product_id: str
    title: str
    description: str
    product_type: str | None
    publisher: str | None
    skus: dict[str, ListedSku] = field(default_factory=dict)


@dataclass
class Listing:
    country: str
    products: dict[str, ListedProduct] = field(default_factory=dict)
    calls: int = 0


async def read_catalog(client: PartnerCenterClient, country: str) -> Listing:
    """Everything Partner Center lists for ``country`` (one call per product and per SKU)."""
    listing = Listing(country)
    listing.calls += 1
    for product in await client.list_products(country, TARGET_VIEW, target_segment=TARGET_SEGMENT):
        listing.calls += 1
        try:
            skus = await client.list_skus(product.id, country, target_segment=TARGET_SEGMENT)
        except NotFound:
            continue  # withdrawn since the listing
        listed = _product(product)
        for sku in skus:
            listing.calls += 1
            try:
                availabilities = await client.list_availabilities(
                    product.id, sku.id, country, target_segment=TARGET_SEGMENT
                )
            except NotFound:
                continue
            listed.skus[sku.id] = _sku(sku, availabilities)
        listing.products[product.id] = listed
    return listing


def _text(value: str | None, limit: int | None = None) -> str:
    text = (value or "").strip()
    return text[:limit] if limit else text


def _product(product: Product) -> ListedProduct:
    return ListedProduct(
        product_id=product.id,
        title=_text(product.title, TITLE_LENGTH) or product.id,
        description=_text(product.description),
        product_type=_text(product.product_type.id, 64) if product.product_type else None,
        publisher=_text(product.publisher_name, 200) or None,
    )


def _sku(sku: Sku, availabilities: list[Availability]) -> ListedSku:
    minimum = sku.minimum_quantity if sku.minimum_quantity and sku.minimum_quantity > 0 else 1
    maximum = sku.maximum_quantity if sku.maximum_quantity else minimum
    listed = ListedSku(
        sku_id=sku.id,
        title=_text(sku.title, TITLE_LENGTH) or sku.id,
        description=_text(sku.description),
        minimum_quantity=minimum,
        maximum_quantity=max(minimum, maximum),
        is_trial=bool(sku.is_trial),
    )
    # Availabilities in id order, so the same term on two of them always picks the same one.
    for availability in sorted(availabilities, key=lambda a: a.id):
        if availability.is_purchasable is False:
            continue
        for offered in availability.terms:
            term, cycle = terms.term_of(offered.duration), terms.cycle_of(offered.billing_cycle)
            if term and cycle:
                listed.terms.setdefault((term, cycle), ListedTerm(term, cycle, availability.id))
    return listed
