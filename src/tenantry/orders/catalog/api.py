"""HTTP API of the catalog (/api/v1/catalog): offers as a buyer sees them; for platform staff the
catalog read from Partner Center, its refreshes, the price list and the markups."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query
from fastapi.openapi.models import Example

from tenantry.deps import CurrentActor, DbSession
from tenantry.models import CatalogRefresh, OrganizationKind
from tenantry.orders.catalog import markups, offers, overview, price_import, prices
from tenantry.orders.catalog.offers import Offer
from tenantry.orders.catalog.pricing import buyer_for
from tenantry.orders.catalog.refresh import refresh_now
from tenantry.orders.catalog.schemas import (
    CatalogProductRead,
    CatalogRefreshDetail,
    CatalogRefreshRead,
    CatalogRefreshRequested,
    CatalogSkuRead,
    CatalogTermRead,
    MarkupsRead,
    MarkupsReplacement,
    OfferRead,
    PlanRead,
    PriceImport,
    PriceImportResult,
    PriceRead,
    PricesChanged,
    PricesToSet,
    ResellerMarkupRead,
    SegmentMarkupRead,
    SkippedRows,
)
from tenantry.organizations import repository
from tenantry.problems import API_ERRORS

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"], responses=API_ERRORS)

PRICE_EXAMPLES: dict[str, Example] = {
    "basic": {
        "summary": "Business Basic for a year, billed monthly, in euros",
        "value": {
            "prices": [
                {
                    "offer_id": "CFQ7TTC0LH18:0001", "term": "P1Y", "billing_cycle": "monthly",
                    "currency": "EUR", "list_price": "5.64", "cost": "4.79",
                }
            ]
        },
    }
}  # fmt: skip
IMPORT_EXAMPLES: dict[str, Example] = {
    "tenantry": {
        "summary": "Tenantry's columns",
        "value": {
            "csv": "offer_id,term,billing_cycle,currency,list_price,cost\n"
            "CFQ7TTC0LH18:0001,P1Y,annual,EUR,67.68,57.53\n"
        },
    }
}


def _offer_read(offer: Offer) -> OfferRead:
    return OfferRead(
        id=offer.id, title=offer.title, summary=offer.summary,
        minimum_quantity=offer.minimum_quantity, maximum_quantity=offer.maximum_quantity,
        currency=offer.currency,
        plans=[
            PlanRead(
                term=plan.term, billing_cycle=plan.billing_cycle,
                catalog_item_id=plan.catalog_item_id, unit_price=plan.unit_price or 0,
            )
            for plan in offer.offered_plans
        ],
    )  # fmt: skip


@router.get(
    "/offers",
    summary="Offers with their plans and prices, as a customer sees them",
    description="A customer's people see their own prices (their currency, segment and "
    "seller). Sellers' staff see a customer's with organization_id, else their own "
    "storefront's (its currency and, for a reseller, its markup). Only offers sold and priced "
    "on at least one plan in that currency are listed.",
)
async def list_offers(
    session: DbSession,
    actor: CurrentActor,
    organization_id: Annotated[uuid.UUID | None, Query()] = None,
) -> list[OfferRead]:
    target = actor.organization_id
    if organization_id is not None and actor.organization_kind is not OrganizationKind.CUSTOMER:
        target = organization_id
    organization = await repository.get(session, actor, target)
    buyer = await buyer_for(session, organization)
    return [_offer_read(offer) for offer in await offers.storefront(session, buyer)]


@router.get(
    "/products",
    summary="The catalog read from Partner Center, sold and withdrawn",
    description="catalog.manage. Every product, SKU and term Partner Center listed for the "
    "platform's market; withdrawn ones (no longer listed) stay with the time they went. "
    "unpriced_currencies names the allowed currencies without any price for a SKU.",
)
async def list_products(session: DbSession, actor: CurrentActor) -> list[CatalogProductRead]:
    return [
        CatalogProductRead(
            product_id=view.product.product_id, title=view.product.title,
            product_type=view.product.product_type, sold=view.product.sold,
            first_seen_at=view.product.first_seen_at, withdrawn_at=view.product.withdrawn_at,
            skus=[
                CatalogSkuRead(
                    offer_id=sku.offer_id, sku_id=sku.sku.sku_id, title=sku.sku.title,
                    minimum_quantity=sku.sku.minimum_quantity,
                    maximum_quantity=sku.sku.maximum_quantity, is_trial=sku.sku.is_trial,
                    sold=sku.sku.sold, withdrawn_at=sku.sku.withdrawn_at,
                    terms=[
                        CatalogTermRead(
                            term=t.term, billing_cycle=t.billing_cycle,
                            catalog_item_id=t.catalog_item_id, sold=t.sold,
                            withdrawn_at=t.withdrawn_at,
                        )
                        for t in sku.terms
                    ],
                    unpriced_currencies=sku.unpriced_currencies,
                )
                for sku in view.skus
            ],
        )
        for view in await overview.catalog(session, actor)
    ]  # fmt: skip


@router.post(
    "/refreshes",
    status_code=202,
    summary="Refresh the catalog from Partner Center now",
    description="catalog.manage. Queues a refresh of the platform's catalog (the job reads "
    "Partner Center and applies what changed). A request while one is queued or running joins "
    "it (joined_existing true). 409 when this Tenantry's Partner Center account is another "
    "platform's.",
)
async def request_refresh(session: DbSession, actor: CurrentActor) -> CatalogRefreshRequested:
    refresh, joined = await refresh_now(session, actor)
    await session.flush()
    await session.refresh(refresh)
    return CatalogRefreshRequested.model_validate(
        {**CatalogRefreshRead.model_validate(refresh).model_dump(), "joined_existing": joined}
    )


@router.get("/refreshes", summary="The catalog's refreshes, newest first")
async def list_refreshes(
    session: DbSession,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[CatalogRefreshRead]:
    rows: list[CatalogRefresh] = await overview.refreshes(session, actor, limit)
    return [CatalogRefreshRead.model_validate(row) for row in rows]


@router.get("/refreshes/{refresh_id}", summary="One refresh with what it changed")
async def get_refresh(
    refresh_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> CatalogRefreshDetail:
    return CatalogRefreshDetail.model_validate(await overview.refresh(session, actor, refresh_id))


@router.get(
    "/prices",
    summary="The platform's price list",
    description="catalog.manage. List prices (before markups) and costs per offer, term, "
    "billing cycle and currency, per license per billing period.",
)
async def list_prices(
    session: DbSession,
    actor: CurrentActor,
    currency: Annotated[str | None, Query(max_length=3)] = None,
    offer_id: Annotated[str | None, Query(max_length=65)] = None,
) -> list[PriceRead]:
    rows = await prices.list_prices(session, actor, currency=currency, offer_id=offer_id)
    return [PriceRead.model_validate(row) for row in rows]


@router.put(
    "/prices",
    summary="Set prices of the price list",
    description="catalog.manage. Sets each listed price (creates or replaces it); a null "
    "list_price removes it; prices not listed stay as they are. Currencies must be the "
    "platform's. Audited as one change.",
)
async def set_prices(
    data: Annotated[PricesToSet, Body(openapi_examples=PRICE_EXAMPLES)],
    session: DbSession,
    actor: CurrentActor,
) -> PricesChanged:
    changes = await prices.set_prices(session, actor, data.prices)
    return PricesChanged(
        created=changes.created, changed=changes.changed, unchanged=changes.unchanged,
        removed=changes.removed,
    )  # fmt: skip


@router.post(
    "/prices/import",
    summary="Import a price list from CSV",
    description="catalog.manage. Microsoft's new-commerce license price list as Partner Center "
    "gives it, or Tenantry's own columns (docs/catalog.md). Rows not sold here are skipped and "
    "counted by reason; a row that cannot be read refuses the whole file (422 naming the lines).",
)
async def import_prices(
    data: Annotated[PriceImport, Body(openapi_examples=IMPORT_EXAMPLES)],
    session: DbSession,
    actor: CurrentActor,
) -> PriceImportResult:
    changes, report, missing = await price_import.import_prices(session, actor, data.csv)
    return PriceImportResult(
        created=changes.created, changed=changes.changed, unchanged=changes.unchanged,
        removed=changes.removed, rows=report.rows, not_in_catalog=missing,
        skipped=[
            SkippedRows(reason=reason, rows=len(lines), first_lines=lines[:10])
            for reason, lines in sorted(report.skipped.items())
        ],
    )  # fmt: skip


def _markups_read(found: markups.Markups) -> MarkupsRead:
    return MarkupsRead(
        segments=[
            SegmentMarkupRead(segment_id=row.subject_id, name=row.name, percent=row.percent)
            for row in found.segments
        ],
        resellers=[
            ResellerMarkupRead(organization_id=row.subject_id, name=row.name, percent=row.percent)
            for row in found.resellers
        ],
    )


@router.get(
    "/markups",
    summary="Markups per segment and per reseller",
    description="catalog.manage. Every segment and reseller, with its markup in percent (null: "
    "none). A customer pays list x (1 + its segment's) x (1 + its reseller's); in several "
    "segments, the lowest segment markup applies.",
)
async def get_markups(session: DbSession, actor: CurrentActor) -> MarkupsRead:
    return _markups_read(await markups.markups(session, actor))


@router.put(
    "/markups",
    summary="Replace the markups",
    description="catalog.manage. The platform's markups become exactly the listed ones "
    "(percent above -100 and at most 1000, two decimals); unlisted ones are removed. Audited.",
)
async def replace_markups(
    data: MarkupsReplacement, session: DbSession, actor: CurrentActor
) -> MarkupsRead:
    return _markups_read(await markups.replace_markups(session, actor, data))
