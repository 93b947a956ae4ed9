"""Subscriptions, legacy trial conversions and new-commerce transitions."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from tenantry.partnercenter.models.base import (
    Attributes,
    PartnerCenterModel,
    Resource,
    Timestamp,
    WireEnum,
)
from tenantry.partnercenter.models.catalog import ProductType


class SubscriptionStatus(WireEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETED = "deleted"
    EXPIRED = "expired"
    PENDING = "pending"
    DISABLED = "disabled"


class RefundOption(PartnerCenterModel):
    type: str | None = None
    expires_at: Timestamp = None


class RefundableQuantityDetail(PartnerCenterModel):
    quantity: int | None = None
    allowed_until_date_time: Timestamp = None


class RefundableQuantity(PartnerCenterModel):
    total_quantity: int | None = None
    details: list[RefundableQuantityDetail] = Field(default_factory=list)


class Subscription(Resource):
    """A subscription; updates (PATCH) send the full resource with its ``attributes.etag``.

    Leaving ``auto_renew_enabled`` out of an update turns auto-renew off, so update by editing
    a resource read just before.
    """

    id: str
    entitlement_id: str | None = None
    offer_id: str | None = None
    offer_name: str | None = None
    friendly_name: str | None = None
    product_type: ProductType | None = None
    quantity: int | None = None
    unit_type: str | None = None
    parent_subscription_id: str | None = None
    has_purchasable_addons: bool | None = None
    creation_date: Timestamp = None
    effective_start_date: Timestamp = None
    commitment_end_date: Timestamp = None
    commitment_end_date_time: Timestamp = None
    cancellation_allowed_until_date: Timestamp = None
    status: str | None = None
    suspension_reasons: list[str] | None = None
    auto_renew_enabled: bool | None = None
    is_trial: bool | None = None
    billing_type: str | None = None
    billing_cycle: str | None = None
    term_duration: str | None = None
    renewal_term_duration: str | None = None
    refund_options: list[RefundOption] | None = None
    is_microsoft_product: bool | None = None
    partner_id: str | None = None
    attention_needed: bool | None = None
    action_taken: bool | None = None
    contract_type: str | None = None
    publisher_name: str | None = None
    refundable_quantity: RefundableQuantity | None = None
    order_id: str | None = None
    promotion_id: str | None = None
    scheduled_next_term_instructions: dict[str, Any] | None = None


class Conversion(PartnerCenterModel):
    """A paid offer a legacy trial can convert to."""

    offer_id: str | None = None
    target_offer_id: str | None = None
    order_id: str | None = None
    quantity: int | None = None
    billing_cycle: str | None = None
    attributes: Attributes | None = None


class ConversionResult(PartnerCenterModel):
    subscription_id: str | None = None
    offer_id: str | None = None
    target_offer_id: str | None = None
    error: dict[str, Any] | None = None
    attributes: Attributes | None = None


class EligibilityError(PartnerCenterModel):
    code: int | str | None = None
    description: str | None = None


class SubscriptionEligibility(PartnerCenterModel):
    is_eligible: bool | None = None
    subscription_id: str | None = None
    subscription_friendly_name: str | None = None
    subscription_term_duration: str | None = None
    subscription_billing_cycle: str | None = None
    errors: list[EligibilityError] = Field(default_factory=list)


class Eligibility(PartnerCenterModel):
    is_eligible: bool | None = None
    transition_type: str | None = None
    errors: list[EligibilityError] = Field(default_factory=list)


class TransitionEligibility(PartnerCenterModel):
    operation_id: str | None = None
    catalog_item_id: str | None = None
    title: str | None = None
    description: str | None = None
    quantity: int | None = None
    subscription_eligibilities: list[SubscriptionEligibility] | None = None
    eligibilities: list[Eligibility] = Field(default_factory=list)
    attributes: Attributes | None = None


class TransitionType(WireEnum):
    TRANSITION_ONLY = "transition_only"
    TRANSITION_WITH_LICENSE_TRANSFER = "transition_with_license_transfer"


class TransitionEvent(PartnerCenterModel):
    name: str | None = None
    status: str | None = None
    timestamp: Timestamp = None
    attributes: Attributes | None = None


class Transition(PartnerCenterModel):
    """A new-commerce transition (upgrade, or a trial converted to paid)."""

    id: str | None = None
    from_catalog_item_id: str | None = None
    from_subscription_id: str | None = None
    to_catalog_item_id: str | None = None
    to_subscription_id: str | None = None
    quantity: int | None = None
    term_duration: str | None = None
    billing_cycle: str | None = None
    transition_type: str | None = None
    operation_id: str | None = None
    status: str | None = None
    events: list[TransitionEvent] | None = None
    attributes: Attributes | None = None
