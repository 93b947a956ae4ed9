"""Subscription bodies in their three documented shapes (``get-subscription-nce.json``,
``get-subscription-addon.json``, ``get-subscription-azure.json``), the update body, and legacy
trial conversions (``trial-conversion*.json``)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field

from tenantry_sandbox.binding import RequestModel
from tenantry_sandbox.catalog_data import REFUND_WINDOW_HOURS
from tenantry_sandbox.resources import Attributes, Link, ResponseModel, attributes
from tenantry_sandbox.schemas.catalog import ItemType
from tenantry_sandbox.schemas.commerce import AttributesIn
from tenantry_sandbox.store import catalog
from tenantry_sandbox.store.subscriptions import Subscription

# ------------------------------------------------------------------------------ requests


class SubscriptionPatch(RequestModel):
    """The full subscription as read, with the wanted changes (only these are acted on)."""

    id: str | None = None
    friendly_name: str | None = None
    quantity: int | None = None
    status: str | None = None
    auto_renew_enabled: bool | None = None
    billing_cycle: str | None = None
    attributes: AttributesIn | None = None


class ConversionIn(RequestModel):
    offer_id: str | None = None
    target_offer_id: str | None = None
    order_id: str | None = None
    quantity: int | None = None
    billing_cycle: str | None = None


# ----------------------------------------------------------------------------- responses


class SubscriptionLinks(ResponseModel):
    offer: Link | None = None
    product: Link | None = None
    sku: Link | None = None
    availability: Link | None = None
    parent_subscription: Link | None = None
    self_: Link = Field(alias="self")


class RefundOptionOut(ResponseModel):
    type: str
    expires_at: datetime


class RefundableDetail(ResponseModel):
    quantity: int
    allowed_until_date_time: datetime


class RefundableQuantity(ResponseModel):
    total_quantity: int
    details: list[RefundableDetail]


class SubscriptionOut(ResponseModel):
    id: uuid.UUID
    entitlement_id: uuid.UUID | None = None
    offer_id: str
    offer_name: str
    friendly_name: str
    product_type: ItemType | None = None
    quantity: int
    unit_type: str
    parent_subscription_id: uuid.UUID | None = None
    has_purchasable_addons: bool | None = None
    creation_date: datetime
    effective_start_date: datetime
    commitment_end_date: datetime | None = None
    commitment_end_date_time: datetime | None = None
    status: str
    auto_renew_enabled: bool
    is_trial: bool | None = None
    billing_type: str
    billing_cycle: str | None = None
    term_duration: str | None = None
    renewal_term_duration: str | None = None
    refund_options: list[RefundOptionOut] | None = None
    is_microsoft_product: bool | None = None
    partner_id: str | None = None
    attention_needed: bool | None = None
    action_taken: bool | None = None
    contract_type: str = "subscription"
    links: SubscriptionLinks
    publisher_name: str | None = None
    refundable_quantity: RefundableQuantity | None = None
    order_id: str
    scheduled_next_term_instructions: dict[str, Any] | None = None
    attributes: Attributes


class ConversionOut(ResponseModel):
    offer_id: str
    target_offer_id: str
    order_id: str
    quantity: int
    billing_cycle: str
    attributes: Attributes = Field(default_factory=lambda: attributes("Conversion"))


class ConversionResultOut(ResponseModel):
    subscription_id: uuid.UUID
    offer_id: str
    target_offer_id: str
    attributes: Attributes = Field(default_factory=lambda: attributes("ConversionResult"))


# ---------------------------------------------------------------------------------- views


def refund_deadline(subscription: Subscription) -> datetime:
    return subscription.created_at + timedelta(hours=REFUND_WINDOW_HOURS)


def _end_of_day(moment: datetime | None) -> datetime | None:
    return moment.replace(hour=23, minute=59, second=59, microsecond=0) if moment else None


def _new_commerce(sub: Subscription, base: dict[str, Any], country: str, now: datetime) -> None:
    product_id, sku_id, availability_id = sub.offer_id.split(":")
    product = f"/products/{product_id}"
    links = base["links"]
    links.product = Link(uri=f"{product}?country={country}")
    links.sku = Link(uri=f"{product}/skus/{sku_id}?country={country}")
    links.availability = Link(
        uri=f"{product}/skus/{sku_id}/availabilities/{availability_id}?country={country}"
    )
    deadline = refund_deadline(sub)
    refundable = (
        RefundableQuantity(
            total_quantity=sub.quantity,
            details=[RefundableDetail(quantity=sub.quantity, allowed_until_date_time=deadline)],
        )
        if now < deadline and not sub.is_trial
        else RefundableQuantity(total_quantity=0, details=[])
    )
    base.update(
        product_type=ItemType(id="OnlineServicesNCE", display_name="OnlineServicesNCE"),
        has_purchasable_addons=False,
        commitment_end_date_time=_end_of_day(sub.commitment_end),
        is_trial=sub.is_trial,
        billing_cycle=sub.billing_cycle,
        term_duration=sub.term_duration,
        renewal_term_duration="",
        refund_options=(
            []
            if sub.is_trial
            else [
                RefundOptionOut(type="Full", expires_at=sub.created_at + timedelta(days=1)),
                RefundOptionOut(type="PartialProrated", expires_at=deadline),
            ]
        ),
        is_microsoft_product=True,
        partner_id=sub.partner_id_on_record,
        attention_needed=False,
        action_taken=False,
        publisher_name="Microsoft Corporation",
        refundable_quantity=refundable,
        scheduled_next_term_instructions=_next_term(sub) if sub.is_trial else None,
    )


def _next_term(sub: Subscription) -> dict[str, Any] | None:
    """What a new-commerce trial becomes at its end (when auto-renew is on)."""
    item = catalog.by_product_sku(sub.offer_id.rsplit(":", 1)[0])
    paid = catalog.by_product_sku(item.sku.converts_to) if item and item.sku.converts_to else None
    if paid is None:
        return None
    return {
        "product": {
            "productId": paid.product.id,
            "skuId": paid.sku.id,
            "availabilityId": paid.sku.availability_id,
            "billingCycle": "monthly",
            "termDuration": "P1Y",
        },
        "quantity": sub.quantity,
    }


def subscription_out(sub: Subscription, country: str, now: datetime) -> SubscriptionOut:
    customer_uri = f"/customers/{sub.customer_id}"
    base: dict[str, Any] = {
        "id": sub.id,
        "entitlement_id": sub.entitlement_id,
        "offer_id": sub.offer_id,
        "offer_name": sub.offer_name,
        "friendly_name": sub.friendly_name,
        "quantity": sub.quantity,
        "unit_type": "Usage-based" if sub.kind == "usage" else "Licenses",
        "parent_subscription_id": sub.parent_subscription_id,
        "creation_date": sub.created_at,
        "effective_start_date": sub.effective_start,
        "commitment_end_date": sub.commitment_end,
        "status": sub.status,
        "auto_renew_enabled": sub.auto_renew,
        "billing_type": "usage" if sub.kind == "usage" else "license",
        "links": SubscriptionLinks(self_=Link(uri=f"{customer_uri}/subscriptions/{sub.id}")),
        "order_id": sub.order_id,
        "attributes": attributes("Subscription", etag=sub.etag),
    }
    if sub.kind == "nce":
        _new_commerce(sub, base, country, now)
    else:
        links = base["links"]
        links.offer = Link(uri=f"/offers/{sub.offer_id}?country={country}")
        if sub.parent_subscription_id:
            links.parent_subscription = Link(
                uri=f"{customer_uri}/subscriptions/{sub.parent_subscription_id}"
            )
        if sub.kind != "usage":
            base["commitment_end_date_time"] = _end_of_day(sub.commitment_end)
        if sub.is_trial:
            base["is_trial"] = True
    return SubscriptionOut(**base)
