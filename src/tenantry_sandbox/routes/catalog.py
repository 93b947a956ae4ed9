"""The catalog (App-only or App+User): products of a target view, SKUs, availabilities.

- ``GET /v1/products?country=&targetView=[&targetSegment=]``
- ``GET /v1/products/{productId}?country=``
- ``GET /v1/products/{productId}/skus?country=[&targetSegment=]``
- ``GET /v1/products/{productId}/skus/{skuId}?country=``
- ``GET /v1/products/{productId}/skus/{skuId}/availabilities?country=[&targetSegment=]``
- ``GET /v1/products/{productId}/skus/{skuId}/availabilities/{availabilityId}?country=``

Unknown product, SKU and availability answer 404 with 400013, 400018 and 400019; a target view
Partner Center does not have is 403/400036, a segment the partner may not sell 403/400030.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from tenantry_sandbox.api import partner_center_router
from tenantry_sandbox.resources import Collection, collection
from tenantry_sandbox.routes._links import self_uri
from tenantry_sandbox.schemas.catalog import (
    AvailabilityOut,
    ProductOut,
    SkuOut,
    availability_out,
    product_out,
    sku_out,
)
from tenantry_sandbox.services import commerce_errors
from tenantry_sandbox.services.catalog import item_or_404, market, product_or_404, sku_or_404
from tenantry_sandbox.store import catalog
from tenantry_sandbox.store.catalog import CatalogItem

router = partner_center_router(tags=["catalog"])

Country = Annotated[str, Query(min_length=2, max_length=2)]
TargetView = Annotated[str, Query(alias="targetView", min_length=1)]
Segment = Annotated[str | None, Query(alias="targetSegment")]


@router.get("/products", summary="List the products of a catalog view")
async def list_products(
    request: Request, country: Country, target_view: TargetView, target_segment: Segment = None
) -> Collection[ProductOut]:
    code, _currency = market(country, target_segment)
    products = catalog.products_in_view(target_view)
    if products is None:
        raise commerce_errors.target_view_not_allowed(target_view)
    return collection([product_out(p, code) for p in products], self_uri=self_uri(request))


@router.get("/products/{product_id}", summary="Get a product")
async def get_product(product_id: str, country: Country) -> ProductOut:
    code, _currency = market(country)
    return product_out(product_or_404(product_id), code)


@router.get("/products/{product_id}/skus", summary="List the SKUs of a product")
async def list_skus(
    request: Request, product_id: str, country: Country, target_segment: Segment = None
) -> Collection[SkuOut]:
    code, _currency = market(country, target_segment)
    product = product_or_404(product_id)
    items = [sku_out(product, sku, code) for sku in product.skus]
    return collection(items, self_uri=self_uri(request))


@router.get("/products/{product_id}/skus/{sku_id}", summary="Get a SKU")
async def get_sku(product_id: str, sku_id: str, country: Country) -> SkuOut:
    code, _currency = market(country)
    product = product_or_404(product_id)
    return sku_out(product, sku_or_404(product, sku_id), code)


@router.get(
    "/products/{product_id}/skus/{sku_id}/availabilities",
    summary="List the availabilities of a SKU",
)
async def list_availabilities(
    request: Request,
    product_id: str,
    sku_id: str,
    country: Country,
    target_segment: Segment = None,
) -> Collection[AvailabilityOut]:
    code, currency = market(country, target_segment)
    product = product_or_404(product_id)
    item = CatalogItem(product, sku_or_404(product, sku_id))
    return collection([availability_out(item, code, currency)], self_uri=self_uri(request))


@router.get(
    "/products/{product_id}/skus/{sku_id}/availabilities/{availability_id}",
    summary="Get an availability",
)
async def get_availability(
    product_id: str, sku_id: str, availability_id: str, country: Country
) -> AvailabilityOut:
    code, currency = market(country)
    return availability_out(item_or_404(product_id, sku_id, availability_id), code, currency)
