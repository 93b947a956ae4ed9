"""Resolving catalog references with Partner Center's answers for what does not exist.

Used by the catalog routes and by every purchase (cart lines, order lines, transitions), so an
unknown product is 404/400013, an unknown SKU 404/400018 and an unknown or stale availability
404/400019 wherever it is named.
"""

from __future__ import annotations

from tenantry_sandbox.catalog_data import CatalogProduct, CatalogSku
from tenantry_sandbox.errors import invalid_property
from tenantry_sandbox.services import commerce_errors
from tenantry_sandbox.store import catalog
from tenantry_sandbox.store.catalog import CatalogItem


def product_or_404(product_id: str) -> CatalogProduct:
    product = catalog.find_product(product_id)
    if product is None:
        raise commerce_errors.product_not_found(product_id)
    return product


def sku_or_404(product: CatalogProduct, sku_id: str) -> CatalogSku:
    sku = catalog.find_sku(product, sku_id)
    if sku is None:
        raise commerce_errors.sku_not_found(product.id, sku_id)
    return sku


def item_or_404(product_id: str, sku_id: str, availability_id: str) -> CatalogItem:
    product = product_or_404(product_id)
    sku = sku_or_404(product, sku_id)
    item = CatalogItem(product, sku)
    if availability_id.strip().upper() != sku.availability_id:
        raise commerce_errors.availability_not_found(f"{product.id}:{sku.id}:{availability_id}")
    return item


def resolve(catalog_item_id: str, field: str) -> CatalogItem:
    """A ``product:sku:availability`` id; malformed ids are 400/3000 naming ``field``."""
    parts = catalog_item_id.strip().split(":")
    if len(parts) != 3 or not all(parts):
        raise invalid_property(
            f"'{catalog_item_id}' is not a catalog item id (product:sku:availability).", field
        )
    return item_or_404(*parts)


def market(country: str, segment: str | None = None) -> tuple[str, tuple[str, str]]:
    """The upper-cased market and its currency; refuses segments and markets not sold in."""
    if not catalog.segment_allowed(segment):
        raise commerce_errors.target_segment_not_allowed(str(segment))
    currency = catalog.currency_of(country)
    if currency is None:
        raise invalid_property(f"The country {country} is not supported.", "country")
    return country.strip().upper(), currency
