"""Catalog bodies: Product, Sku and Availability, as ``product-nce.json``, ``sku-by-id.json`` and
the get-availability page show them."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from tenantry_sandbox.catalog_data import REFUND_WINDOW_HOURS, CatalogProduct, CatalogSku
from tenantry_sandbox.resources import Link, ResponseModel
from tenantry_sandbox.store import catalog
from tenantry_sandbox.store.catalog import CatalogItem


class ItemType(ResponseModel):
    id: str
    display_name: str
    sub_type: ItemType | None = None


class ProductLinks(ResponseModel):
    skus: Link
    self_: Link = Field(alias="self")


class ProductOut(ResponseModel):
    id: str
    title: str
    description: str
    product_type: ItemType
    is_microsoft_product: bool = True
    publisher_name: str
    links: ProductLinks


class SkuLinks(ResponseModel):
    availabilities: Link
    self_: Link = Field(alias="self")


class SkuOut(ResponseModel):
    id: str
    product_id: str
    title: str
    description: str
    minimum_quantity: int
    maximum_quantity: int
    is_trial: bool
    supported_billing_cycles: list[str]
    purchase_prerequisites: list[str]
    inventory_variables: list[str] = Field(default_factory=list)
    provisioning_variables: list[str] = Field(default_factory=list)
    actions: list[str] = Field(default_factory=list)
    dynamic_attributes: dict[str, Any]
    links: SkuLinks


class Currency(ResponseModel):
    code: str
    symbol: str


class RefundOption(ResponseModel):
    sequence_id: int
    type: str
    expires_after: str


class CancellationPolicy(ResponseModel):
    refund_options: list[RefundOption]


class Term(ResponseModel):
    id: str
    duration: str
    description: str
    billing_cycle: str
    cancellation_policies: list[CancellationPolicy]


class RenewalOption(ResponseModel):
    renew_to_id: str
    is_auto_renewable: bool


class RenewalInstruction(ResponseModel):
    applicable_term_ids: list[str]
    renewal_options: list[RenewalOption]


class AvailabilityLinks(ResponseModel):
    self_: Link = Field(alias="self")


class AvailabilityOut(ResponseModel):
    id: str
    product_id: str
    sku_id: str
    catalog_item_id: str
    default_currency: Currency
    segment: str = "commercial"
    country: str
    is_purchasable: bool = True
    is_renewable: bool
    renewal_instructions: list[RenewalInstruction] | None = None
    terms: list[Term]
    product: ProductOut
    sku: SkuOut
    links: AvailabilityLinks


TERM_TEXT = {
    "P1M": "One-Month commitment for monthly billing",
    "P1Y": "One-Year commitment for monthly/yearly billing",
    "P3Y": "Three-Year commitment for monthly/yearly/triennial billing",
}


def _in(country: str) -> str:
    return f"?country={country}"


def product_out(product: CatalogProduct, country: str) -> ProductOut:
    uri = f"/products/{product.id}"
    return ProductOut(
        id=product.id,
        title=product.title,
        description=product.description,
        product_type=ItemType(id=product.product_type, display_name=product.product_type),
        publisher_name=product.publisher_name,
        links=ProductLinks(
            skus=Link(uri=f"{uri}/skus{_in(country)}"), self_=Link(uri=f"{uri}{_in(country)}")
        ),
    )


def sku_out(product: CatalogProduct, sku: CatalogSku, country: str) -> SkuOut:
    uri = f"/products/{product.id}/skus/{sku.id}"
    cycles = sorted({c for t in sku.term_durations for c in catalog.billing_cycles_of(sku, t)})
    return SkuOut(
        id=sku.id,
        product_id=product.id,
        title=sku.title,
        description=sku.description,
        minimum_quantity=sku.minimum_quantity,
        maximum_quantity=sku.maximum_quantity,
        is_trial=sku.is_trial,
        supported_billing_cycles=cycles,
        purchase_prerequisites=["MicrosoftCloudAgreement"],
        actions=[] if sku.is_trial else ["Refund"],
        dynamic_attributes={
            "isMicrosoftProduct": True,
            "hasConstraints": True,
            "isAddon": False,
            "prerequisiteSkus": [],
            "isSoftwareAssuranceApplicable": False,
            "upgradeTargetOffers": list(sku.upgrade_targets),
            "provisioningId": str(sku.provisioning_id),
            "internal": False,
        },
        links=SkuLinks(
            availabilities=Link(uri=f"{uri}/availabilities{_in(country)}"),
            self_=Link(uri=f"{uri}{_in(country)}"),
        ),
    )


def _terms(sku: CatalogSku) -> list[Term]:
    refunds = [
        RefundOption(sequence_id=0, type="Full", expires_after="P1D"),
        RefundOption(
            sequence_id=1, type="PartialProrated", expires_after=f"PT{REFUND_WINDOW_HOURS}H"
        ),
    ]
    return [
        Term(
            id=catalog.term_id(sku.availability_id, duration, cycle),
            duration=duration,
            description="One-Month trial" if sku.is_trial else TERM_TEXT[duration],
            billing_cycle=cycle.capitalize(),
            cancellation_policies=[]
            if sku.is_trial
            else [CancellationPolicy(refund_options=refunds)],
        )
        for duration in sku.term_durations
        for cycle in catalog.billing_cycles_of(sku, duration)
    ]


def availability_out(item: CatalogItem, country: str, currency: tuple[str, str]) -> AvailabilityOut:
    product, sku = item.product, item.sku
    terms = _terms(sku)
    renewals = (
        None
        if sku.is_trial
        else [
            RenewalInstruction(
                applicable_term_ids=[term.id for term in terms],
                renewal_options=[
                    RenewalOption(renew_to_id=item.product_sku, is_auto_renewable=True)
                ],
            )
        ]
    )
    return AvailabilityOut(
        id=sku.availability_id,
        product_id=product.id,
        sku_id=sku.id,
        catalog_item_id=item.id,
        default_currency=Currency(code=currency[0], symbol=currency[1]),
        country=country,
        is_renewable=not sku.is_trial,
        renewal_instructions=renewals,
        terms=terms,
        product=product_out(product, country),
        sku=sku_out(product, sku, country),
        links=AvailabilityLinks(
            self_=Link(
                uri=f"/products/{product.id}/skus/{sku.id}/availabilities/"
                f"{sku.availability_id}{_in(country)}"
            )
        ),
    )
