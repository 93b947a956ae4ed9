"""The catalog (App-only or App+User): products of a target view, SKUs, availabilities.

- ``GET /v1/products?country=&targetView=[&targetSegment=]``
- ``GET /v1/products/{productId}?country=``
- ``GET /v1/products/{productId}/skus?country=[&targetSegment=]``
- ``GET /v1/products/{productId}/skus/{skuId}?country=``
- ``GET /v1/products/{productId}/skus/{skuId}/availabilities?country=[&targetSegment=]``
- ``GET /v1/products/{productId}/skus/{skuId}/availabilities/{availabilityId}?country=``

Unknown product, SKU and availability answer 404 with 400013, 400018 and 400019; a target view
Partner Center does not have is 403/400036, a segment the partner may not sell 403/400030. So
does a product the control API withdrew (``PUT /_sandbox/catalog``).

The three listings come in pages (``catalog_page_size``, or the control API's page size): while
more remain, ``links.next`` carries an ``MS-ContinuationToken`` header, and the next page is
asked for with ``seekOperation=Next`` and that header. The token remembers the listing and the
position, so the query may be repeated or left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Header, Query, Request

from tenantry_sandbox import errors
from tenantry_sandbox.api import Session, State, partner_center_router
from tenantry_sandbox.catalog_data import CatalogProduct
from tenantry_sandbox.paging import Cursor, PageTokens, linked_collection, slice_page
from tenantry_sandbox.resources import Collection
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
from tenantry_sandbox.store import catalog, catalog_control
from tenantry_sandbox.store.catalog import CatalogItem
from tenantry_sandbox.store.catalog_control import CatalogChoice

router = partner_center_router(tags=["catalog"])

Country = Annotated[str, Query(min_length=2, max_length=2)]
TargetView = Annotated[str, Query(alias="targetView", min_length=1)]
Segment = Annotated[str | None, Query(alias="targetSegment")]
T = TypeVar("T")


@dataclass(frozen=True)
class CatalogPaging:
    choice: CatalogChoice
    tokens: PageTokens
    next_token: str | None

    def page(self, request: Request, scope: str, items: list[T]) -> Collection[T]:
        """One page of ``items`` (the whole listing), linked to the next while more remain."""
        if self.next_token is not None:
            cursor = self.tokens.decode(self.next_token, scope)
        else:
            cursor = Cursor(scope=scope, size=self.choice.page_size)
        page = slice_page(self.tokens, cursor, items)
        return linked_collection(page.rows, page.next_token, self_uri=_listing_uri(request))

    def product(self, product_id: str) -> CatalogProduct:
        """The product if it exists and is sold (404/400013 otherwise)."""
        product = product_or_404(product_id)
        if not self.choice.sold(product.id):
            raise commerce_errors.product_not_found(product_id)
        return product


async def _paging(
    state: State,
    session: Session,
    seek_operation: Annotated[str | None, Query(alias="seekOperation")] = None,
    continuation: Annotated[str | None, Header(alias="MS-ContinuationToken")] = None,
) -> CatalogPaging:
    if seek_operation is not None and seek_operation.lower() != "next":
        raise errors.invalid_property(
            f"Unsupported seekOperation '{seek_operation}'.", "seekOperation"
        )
    if seek_operation is not None and not continuation:
        raise errors.invalid_property(
            "seekOperation=Next needs the MS-ContinuationToken header.", "MS-ContinuationToken"
        )
    choice = await catalog_control.current(session, state.settings.catalog_page_size)
    token = continuation if seek_operation is not None else None
    return CatalogPaging(choice, state.pages, token)


Paging = Annotated[CatalogPaging, Depends(_paging)]


def _listing_uri(request: Request) -> str:
    """The listing as its links name it: relative, without ``/v1`` and ``seekOperation``."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "seekOperation"]
    path = request.url.path.removeprefix("/v1")
    return path + (f"?{urlencode(query)}" if query else "")


@router.get("/products", summary="List the products of a catalog view")
async def list_products(
    request: Request, paging: Paging, country: Country, target_view: TargetView,
    target_segment: Segment = None,
) -> Collection[ProductOut]:  # fmt: skip
    code, _currency = market(country, target_segment)
    products = catalog.products_in_view(target_view)
    if products is None:
        raise commerce_errors.target_view_not_allowed(target_view)
    items = [product_out(p, code) for p in products if paging.choice.sold(p.id)]
    scope = f"products:{code}:{target_view.lower()}:{(target_segment or '').lower()}"
    return paging.page(request, scope, items)


@router.get("/products/{product_id}", summary="Get a product")
async def get_product(product_id: str, country: Country, paging: Paging) -> ProductOut:
    code, _currency = market(country)
    return product_out(paging.product(product_id), code)


@router.get("/products/{product_id}/skus", summary="List the SKUs of a product")
async def list_skus(
    request: Request, product_id: str, country: Country, paging: Paging,
    target_segment: Segment = None,
) -> Collection[SkuOut]:  # fmt: skip
    code, _currency = market(country, target_segment)
    product = paging.product(product_id)
    items = [sku_out(product, sku, code) for sku in product.skus]
    return paging.page(request, f"skus:{product.id}:{code}", items)


@router.get("/products/{product_id}/skus/{sku_id}", summary="Get a SKU")
async def get_sku(product_id: str, sku_id: str, country: Country, paging: Paging) -> SkuOut:
    code, _currency = market(country)
    product = paging.product(product_id)
    return sku_out(product, sku_or_404(product, sku_id), code)


@router.get(
    "/products/{product_id}/skus/{sku_id}/availabilities",
    summary="List the availabilities of a SKU",
)
async def list_availabilities(
    request: Request, product_id: str, sku_id: str, country: Country, paging: Paging,
    target_segment: Segment = None,
) -> Collection[AvailabilityOut]:  # fmt: skip
    code, currency = market(country, target_segment)
    product = paging.product(product_id)
    item = CatalogItem(product, sku_or_404(product, sku_id))
    items = [availability_out(item, code, currency)]
    return paging.page(request, f"availabilities:{item.product_sku}:{code}", items)


@router.get(
    "/products/{product_id}/skus/{sku_id}/availabilities/{availability_id}",
    summary="Get an availability",
)
async def get_availability(
    product_id: str, sku_id: str, availability_id: str, country: Country, paging: Paging
) -> AvailabilityOut:
    code, currency = market(country)
    paging.product(product_id)
    return availability_out(item_or_404(product_id, sku_id, availability_id), code, currency)
