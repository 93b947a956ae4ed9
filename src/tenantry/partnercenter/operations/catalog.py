"""Catalog: products, SKUs and availabilities of a market.

The listings return every item, following continuation tokens when the service pages them
(``ClientCore._all_pages``).
"""

from __future__ import annotations

from tenantry.partnercenter.core import ClientCore
from tenantry.partnercenter.models.catalog import Availability, Product, Sku
from tenantry.partnercenter.pipeline import QueryParams


def _market(country: str, target_segment: str | None = None) -> QueryParams:
    params: dict[str, str] = {"country": country}
    if target_segment:
        params["targetSegment"] = target_segment
    return params


class CatalogOperations(ClientCore):
    async def list_products(
        self, country: str, target_view: str, *, target_segment: str | None = None
    ) -> list[Product]:
        """Products of a catalog view (``OnlineServicesNCE``, ``Azure``, ``Software``...)."""
        return await self._all_pages(
            Product,
            "list_products",
            self._pc_url("products"),
            params={**_market(country, target_segment), "targetView": target_view},
        )

    async def get_product(self, product_id: str, country: str) -> Product:
        return await self._call(
            Product,
            "get_product",
            "GET",
            self._pc_url("products", product_id),
            params=_market(country),
        )

    async def list_skus(
        self, product_id: str, country: str, *, target_segment: str | None = None
    ) -> list[Sku]:
        return await self._all_pages(
            Sku,
            "list_skus",
            self._pc_url("products", product_id, "skus"),
            params=_market(country, target_segment),
        )

    async def get_sku(self, product_id: str, sku_id: str, country: str) -> Sku:
        return await self._call(
            Sku,
            "get_sku",
            "GET",
            self._pc_url("products", product_id, "skus", sku_id),
            params=_market(country),
        )

    async def list_availabilities(
        self,
        product_id: str,
        sku_id: str,
        country: str,
        *,
        target_segment: str | None = None,
    ) -> list[Availability]:
        return await self._all_pages(
            Availability,
            "list_availabilities",
            self._pc_url("products", product_id, "skus", sku_id, "availabilities"),
            params=_market(country, target_segment),
        )

    async def get_availability(
        self, product_id: str, sku_id: str, availability_id: str, country: str
    ) -> Availability:
        return await self._call(
            Availability,
            "get_availability",
            "GET",
            self._pc_url("products", product_id, "skus", sku_id, "availabilities", availability_id),
            params=_market(country),
        )
