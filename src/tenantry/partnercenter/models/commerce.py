"""Carts, checkout and orders."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from tenantry.partnercenter.models.base import (
    KeyValuePair,
    PartnerCenterModel,
    Resource,
    Timestamp,
)


class CartPricing(PartnerCenterModel):
    list_price: Decimal | None = None
    discounted_price: Decimal | None = None
    prorated_price: Decimal | None = None
    price: Decimal | None = None
    extended_price: Decimal | None = None


class RenewsTo(PartnerCenterModel):
    term_duration: str | None = None


class CartLineItemError(PartnerCenterModel):
    error_code: str | int | None = None
    error_description: str | None = None


class CartLineItem(PartnerCenterModel):
    """One line of a cart.

    ``participants`` names the indirect reseller of record: key ``transaction_reseller``, value
    its PartnerID.
    """

    id: int | None = None
    catalog_item_id: str
    friendly_name: str | None = None
    quantity: int
    currency_code: str | None = None
    billing_cycle: str | None = None
    term_duration: str | None = None
    participants: list[KeyValuePair] | None = None
    provisioning_context: dict[str, str] | None = None
    order_group: str | None = None
    pricing: CartPricing | None = None
    renews_to: RenewsTo | None = None
    promotion_id: str | None = None
    error: CartLineItemError | None = None


class Cart(Resource):
    id: str | None = None
    creation_timestamp: Timestamp = None
    last_modified_timestamp: Timestamp = None
    expiration_timestamp: Timestamp = None
    last_modified_user: str | None = None
    status: str | None = None
    line_items: list[CartLineItem] = Field(default_factory=list)
    partner_on_record_attestation_accepted: bool | None = None


class OrderLineItem(Resource):
    line_item_number: int
    offer_id: str
    subscription_id: str | None = None
    parent_subscription_id: str | None = None
    friendly_name: str | None = None
    quantity: int
    term_duration: str | None = None
    transaction_type: str | None = None
    partner_id_on_record: str | None = None
    provisioning_context: dict[str, str] | None = None
    renews_to: RenewsTo | None = None


class Order(Resource):
    """An order; subscription ids appear on its lines only once provisioning finished."""

    id: str | None = None
    reference_customer_id: str | None = None
    alternate_id: str | None = None
    billing_cycle: str | None = None
    currency_code: str | None = None
    currency_symbol: str | None = None
    line_items: list[OrderLineItem] = Field(default_factory=list)
    creation_date: Timestamp = None
    status: str | None = None
    transaction_type: str | None = None
    partner_on_record_attestation_accepted: bool | None = None


class OrderError(PartnerCenterModel):
    order_group_id: str | None = None
    code: str | int | None = None
    description: str | None = None


class CartCheckoutResult(PartnerCenterModel):
    orders: list[Order] = Field(default_factory=list)
    order_errors: list[OrderError] = Field(default_factory=list)


class QuantityProvisioningInformation(PartnerCenterModel):
    quantity: int | None = None
    status: str | None = None


class OrderLineItemProvisioningStatus(PartnerCenterModel):
    order_line_item_id: int | str | None = None
    line_item_number: int | None = None
    status: str | None = None
    quantity_provisioning_information: list[QuantityProvisioningInformation] = Field(
        default_factory=list
    )
