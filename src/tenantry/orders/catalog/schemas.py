"""Request and response bodies of the catalog's API (/api/v1/catalog)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, Strict

from tenantry.models import CatalogRefreshStatus, CatalogRefreshTrigger
from tenantry.organizations.schemas import Currency
from tenantry.schemas import Id, InputSchema, ReadSchema

# Up to four decimals (as Microsoft's price lists), as a JSON number or a string ("6.00").
Money = Annotated[
    Decimal,
    Strict(False),
    Field(ge=0, le=Decimal("9999999999"), decimal_places=4, allow_inf_nan=False),
]
Percent = Annotated[
    Decimal,
    Strict(False),
    Field(gt=-100, le=1000, decimal_places=2, allow_inf_nan=False),
]
OfferId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9]{1,32}:[A-Za-z0-9]{1,32}$",
        description="Partner Center's product:sku",
        examples=["CFQ7TTC0LH18:0001"],
    ),
]
Term = Literal["P1M", "P1Y", "P3Y"]
BillingCycle = Literal["monthly", "annual"]


class PlanRead(ReadSchema):
    term: Term
    billing_cycle: BillingCycle
    catalog_item_id: str = Field(description="Partner Center's product:sku:availability")
    unit_price: Decimal = Field(
        description="The buyer's price of one license per billing period (a month when billed "
        "monthly, a year when billed annually)"
    )


class OfferRead(ReadSchema):
    id: str = Field(description="product:sku")
    title: str
    summary: str
    minimum_quantity: int
    maximum_quantity: int
    currency: str
    plans: list[PlanRead]


class CatalogTermRead(ReadSchema):
    term: str
    billing_cycle: str
    catalog_item_id: str
    sold: bool
    withdrawn_at: datetime | None


class CatalogSkuRead(ReadSchema):
    offer_id: str
    sku_id: str
    title: str
    minimum_quantity: int
    maximum_quantity: int
    is_trial: bool
    sold: bool
    withdrawn_at: datetime | None
    terms: list[CatalogTermRead]
    unpriced_currencies: list[str] = Field(
        description="Allowed currencies in which no plan of this SKU has a price: it is not "
        "offered to customers paying in them"
    )


class CatalogProductRead(ReadSchema):
    product_id: str
    title: str
    product_type: str | None
    sold: bool
    first_seen_at: datetime
    withdrawn_at: datetime | None
    skus: list[CatalogSkuRead]


class CatalogRefreshRead(ReadSchema):
    id: uuid.UUID
    trigger: CatalogRefreshTrigger
    status: CatalogRefreshStatus
    country: str
    requested_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    products: int
    skus: int
    terms: int
    added: int
    changed: int
    withdrawn: int
    returned: int
    calls: int
    error: str | None


class CatalogRefreshDetail(CatalogRefreshRead):
    changes: list[dict[str, Any]] = Field(
        description="What changed: {change: added|changed|withdrawn|returned, kind: "
        "product|sku|term, id, title, fields?: {name: [before, after]}}"
    )
    more_changes: int = Field(description="Changes beyond those listed")


class CatalogRefreshRequested(CatalogRefreshRead):
    joined_existing: bool


class PriceSet(InputSchema):
    offer_id: OfferId
    term: Term
    billing_cycle: BillingCycle
    currency: Currency
    list_price: Money | None = Field(
        description="Per license per billing period, before markups; null removes the price"
    )
    cost: Money | None = Field(
        default=None, description="What the platform pays (platform staff only see it)"
    )


class PricesToSet(InputSchema):
    prices: list[PriceSet] = Field(max_length=5000)


class PriceRead(ReadSchema):
    offer_id: str
    term: str
    billing_cycle: str
    currency: str
    list_price: Decimal
    cost: Decimal | None
    updated_at: datetime


class PricesChanged(ReadSchema):
    created: int
    changed: int
    unchanged: int
    removed: int


class PriceImport(InputSchema):
    csv: str = Field(
        min_length=1,
        max_length=5_000_000,
        description="The price list as CSV: Microsoft's new-commerce license price list as "
        "Partner Center gives it, or Tenantry's own columns (docs/catalog.md)",
    )


class SkippedRows(ReadSchema):
    reason: str
    rows: int
    first_lines: list[int]


class PriceImportResult(PricesChanged):
    rows: int
    skipped: list[SkippedRows]
    not_in_catalog: list[str] = Field(description="Offers priced that the catalog does not list")


class SegmentMarkup(InputSchema):
    segment_id: Id
    percent: Percent


class ResellerMarkup(InputSchema):
    organization_id: Id
    percent: Percent


class MarkupsReplacement(InputSchema):
    segments: list[SegmentMarkup] = Field(default_factory=list, max_length=500)
    resellers: list[ResellerMarkup] = Field(default_factory=list, max_length=5000)


class SegmentMarkupRead(ReadSchema):
    segment_id: uuid.UUID
    name: str
    percent: Decimal | None


class ResellerMarkupRead(ReadSchema):
    organization_id: uuid.UUID
    name: str
    percent: Decimal | None


class MarkupsRead(ReadSchema):
    segments: list[SegmentMarkupRead]
    resellers: list[ResellerMarkupRead]
