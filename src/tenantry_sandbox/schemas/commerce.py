"""Cart, order, checkout and provisioning-status bodies (``cart-create-*.json``,
``create-order-*.json``, ``get-order.json``, ``order-provisioning-status.json``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import Field

from tenantry_sandbox.binding import RequestModel
from tenantry_sandbox.resources import Attributes, Link, Links, ResponseModel, attributes
from tenantry_sandbox.store.carts import Cart
from tenantry_sandbox.store.orders import Order, OrderLine

# ------------------------------------------------------------------------------ requests


class KeyValueIn(RequestModel):
    key: str | None = None
    value: str | None = None


class RenewsToIn(RequestModel):
    term_duration: str | None = None


class AttributesIn(RequestModel):
    etag: str | None = None
    object_type: str | None = None


class CartLineIn(RequestModel):
    id: int | None = None
    catalog_item_id: str | None = None
    friendly_name: str | None = None
    quantity: int | None = None
    currency_code: str | None = None
    billing_cycle: str | None = None
    term_duration: str | None = None
    participants: list[KeyValueIn] | None = None
    provisioning_context: dict[str, str] | None = None
    # Documented as an array, sent as an object in the samples: both are accepted.
    renews_to: RenewsToIn | list[RenewsToIn] | None = None
    promotion_id: str | None = None


class CartIn(RequestModel):
    line_items: list[CartLineIn] | None = None
    partner_on_record_attestation_accepted: bool | None = None
    attributes: AttributesIn | None = None


class OrderLineIn(RequestModel):
    line_item_number: int | None = None
    offer_id: str | None = None
    parent_subscription_id: str | None = None
    friendly_name: str | None = None
    quantity: int | None = None
    term_duration: str | None = None
    partner_id_on_record: str | None = None
    provisioning_context: dict[str, str] | None = None


class OrderIn(RequestModel):
    reference_customer_id: str | None = None
    billing_cycle: str | None = None
    currency_code: str | None = None
    line_items: list[OrderLineIn] | None = None
    partner_on_record_attestation_accepted: bool | None = None


# ----------------------------------------------------------------------------- responses


class PricingOut(ResponseModel):
    list_price: float
    discounted_price: float
    prorated_price: float
    price: float
    extended_price: float


class KeyValueOut(ResponseModel):
    key: str
    value: str


class RenewsToOut(ResponseModel):
    term_duration: str


class CartLineOut(ResponseModel):
    """A cart line as answered, and as stored in ``carts.lines``."""

    id: int
    catalog_item_id: str
    friendly_name: str | None = None
    quantity: int
    currency_code: str
    billing_cycle: str
    term_duration: str | None = None
    participants: list[KeyValueOut] | None = None
    provisioning_context: dict[str, str] = Field(default_factory=dict)
    order_group: str
    pricing: PricingOut | None = None
    renews_to: RenewsToOut | None = None
    promotion_id: str | None = None


class CartOut(ResponseModel):
    id: uuid.UUID
    creation_timestamp: datetime
    last_modified_timestamp: datetime
    expiration_timestamp: datetime
    last_modified_user: uuid.UUID
    status: str
    line_items: list[CartLineOut]
    partner_on_record_attestation_accepted: bool | None = None
    links: Links
    attributes: Attributes


class OrderLineLinks(ResponseModel):
    product: Link | None = None
    sku: Link | None = None
    availability: Link | None = None
    subscription: Link | None = None


class OrderLineOut(ResponseModel):
    line_item_number: int
    offer_id: str
    subscription_id: str | None = None
    parent_subscription_id: str | None = None
    term_duration: str | None = None
    transaction_type: str = "New"
    friendly_name: str
    quantity: int
    partner_id_on_record: str | None = None
    pricing: PricingOut | None = None
    links: OrderLineLinks | None = None


class OrderLinks(ResponseModel):
    provisioning_status: Link
    self_: Link = Field(alias="self")


class OrderOut(ResponseModel):
    id: str
    alternate_id: str
    reference_customer_id: uuid.UUID
    billing_cycle: str
    currency_code: str
    currency_symbol: str
    line_items: list[OrderLineOut]
    creation_date: datetime
    status: str
    transaction_type: str = "UserPurchase"
    links: OrderLinks
    total_price: float | None = None
    attributes: Attributes = Field(default_factory=lambda: attributes("Order"))


class OrderErrorOut(ResponseModel):
    order_group_id: str
    code: int
    description: str


class CartCheckoutResultOut(ResponseModel):
    orders: list[OrderOut]
    order_errors: list[OrderErrorOut] = Field(default_factory=list)


class QuantityProvisioningOut(ResponseModel):
    quantity: int
    status: str


class ProvisioningStatusOut(ResponseModel):
    order_line_item_id: int
    line_item_number: int
    status: str
    quantity_provisioning_information: list[QuantityProvisioningOut]


# ---------------------------------------------------------------------------------- views


def pricing(unit: Decimal, extended: Decimal) -> PricingOut:
    amount = float(unit)
    return PricingOut(
        list_price=amount,
        discounted_price=amount,
        prorated_price=amount,
        price=amount,
        extended_price=float(extended),
    )


def cart_out(cart: Cart) -> CartOut:
    return CartOut(
        id=cart.id,
        creation_timestamp=cart.created_at,
        last_modified_timestamp=cart.modified_at,
        expiration_timestamp=cart.expires_at,
        last_modified_user=cart.last_modified_user,
        status=cart.status,
        line_items=[CartLineOut.model_validate(line) for line in cart.lines],
        partner_on_record_attestation_accepted=cart.attestation_accepted,
        links=Links(self_=Link(uri=f"/customers/{cart.customer_id}/carts/{cart.id}")),
        attributes=attributes("Cart", etag=cart.etag),
    )


def _line_links(line: OrderLine, customer_id: uuid.UUID, country: str) -> OrderLineLinks | None:
    parts = line.offer_id.split(":")
    if len(parts) == 3:
        product, sku, availability = parts
        base = f"/products/{product}"
        return OrderLineLinks(
            product=Link(uri=f"{base}?country={country}"),
            sku=Link(uri=f"{base}/skus/{sku}?country={country}"),
            availability=Link(
                uri=f"{base}/skus/{sku}/availabilities/{availability}?country={country}"
            ),
        )
    if line.subscription_id:
        uri = f"/customers/{customer_id}/subscriptions/{line.subscription_id}"
        return OrderLineLinks(subscription=Link(uri=uri))
    return None


def order_out(order: Order, country: str) -> OrderOut:
    uri = f"/customers/{order.customer_id}/orders/{order.id}"
    lines = order.order_lines()
    priced = [line for line in lines if line.extended_price is not None]
    return OrderOut(
        id=order.id,
        alternate_id=order.id,
        reference_customer_id=order.customer_id,
        billing_cycle=order.billing_cycle,
        currency_code=order.currency_code,
        currency_symbol=order.currency_symbol,
        line_items=[
            OrderLineOut(
                line_item_number=line.number,
                offer_id=line.offer_id,
                subscription_id=line.subscription_id,
                parent_subscription_id=line.parent_subscription_id,
                term_duration=line.term_duration,
                friendly_name=line.friendly_name,
                quantity=line.quantity,
                partner_id_on_record=line.partner_id_on_record,
                pricing=(
                    pricing(Decimal(line.unit_price), Decimal(line.extended_price))
                    if line.unit_price is not None and line.extended_price is not None
                    else None
                ),
                links=_line_links(line, order.customer_id, country),
            )
            for line in lines
        ],
        creation_date=order.created_at,
        status=order.status,
        links=OrderLinks(
            provisioning_status=Link(uri=f"{uri}/provisioningstatus"), self_=Link(uri=uri)
        ),
        total_price=(
            float(sum(Decimal(line.extended_price or "0") for line in priced)) if priced else None
        ),
    )


def provisioning_status(order: Order) -> list[ProvisioningStatusOut]:
    status = "fulfilled" if order.status == "completed" else "pending"
    return [
        ProvisioningStatusOut(
            order_line_item_id=line.number,
            line_item_number=line.number,
            status=status,
            quantity_provisioning_information=[
                QuantityProvisioningOut(quantity=line.quantity, status=status)
            ],
        )
        for line in order.order_lines()
    ]
