"""Catalog: products, SKUs and availabilities (catalog item id = ``product:sku:availability``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from tenantry.partnercenter.models.base import PartnerCenterModel, Resource


class ProductType(PartnerCenterModel):
    id: str | None = None
    display_name: str | None = None
    sub_type: ProductType | None = None


class Product(Resource):
    id: str
    title: str | None = None
    description: str | None = None
    product_type: ProductType | None = None
    is_microsoft_product: bool | None = None
    publisher_name: str | None = None


class Sku(Resource):
    id: str
    product_id: str | None = None
    title: str | None = None
    description: str | None = None
    minimum_quantity: int | None = None
    maximum_quantity: int | None = None
    is_trial: bool | None = None
    supported_billing_cycles: list[str] = Field(default_factory=list)
    purchase_prerequisites: list[str] = Field(default_factory=list)
    inventory_variables: list[str] = Field(default_factory=list)
    provisioning_variables: list[str] = Field(default_factory=list)
    dynamic_attributes: dict[str, Any] | None = None


class Currency(PartnerCenterModel):
    code: str | None = None
    symbol: str | None = None
    name: str | None = None


class Term(PartnerCenterModel):
    duration: str | None = None
    description: str | None = None
    billing_cycle: str | None = None


class Availability(Resource):
    """A purchasable form of a SKU; ``catalog_item_id`` is what carts order."""

    id: str
    product_id: str | None = None
    sku_id: str | None = None
    catalog_item_id: str | None = None
    default_currency: Currency | None = None
    segment: str | None = None
    country: str | None = None
    is_purchasable: bool | None = None
    is_renewable: bool | None = None
    terms: list[Term] = Field(default_factory=list)
