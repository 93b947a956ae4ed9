"""New-commerce transition bodies (``transition-*.json``): eligibilities, the request, the
transition and its events."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from tenantry_sandbox.binding import RequestModel
from tenantry_sandbox.resources import Attributes, ResponseModel, attributes
from tenantry_sandbox.store.subscriptions import Transition


class TransitionIn(RequestModel):
    from_catalog_item_id: str | None = None
    from_subscription_id: str | None = None
    to_catalog_item_id: str | None = None
    to_subscription_id: str | None = None
    quantity: int | None = None
    term_duration: str | None = None
    billing_cycle: str | None = None
    transition_type: str | None = None


class EligibilityErrorOut(ResponseModel):
    code: int
    description: str


class SubscriptionEligibilityOut(ResponseModel):
    is_eligible: bool
    subscription_id: uuid.UUID
    subscription_friendly_name: str
    subscription_term_duration: str | None = None
    subscription_billing_cycle: str | None = None
    errors: list[EligibilityErrorOut] = Field(default_factory=list)


class EligibilityOut(ResponseModel):
    is_eligible: bool
    transition_type: str
    errors: list[EligibilityErrorOut] = Field(default_factory=list)


class TransitionEligibilityOut(ResponseModel):
    operation_id: uuid.UUID
    catalog_item_id: str
    title: str
    description: str
    quantity: int
    subscription_eligibilities: list[SubscriptionEligibilityOut] | None = None
    eligibilities: list[EligibilityOut]
    attributes: Attributes = Field(default_factory=lambda: attributes("TransitionEligibility"))


class TransitionEventOut(ResponseModel):
    name: str
    status: str
    timestamp: datetime
    attributes: Attributes = Field(default_factory=lambda: attributes("TransitionEvent"))


class TransitionOut(ResponseModel):
    from_catalog_item_id: str
    from_subscription_id: uuid.UUID
    to_catalog_item_id: str
    to_subscription_id: uuid.UUID
    quantity: int
    term_duration: str
    billing_cycle: str
    transition_type: str
    operation_id: uuid.UUID
    status: str
    events: list[TransitionEventOut]
    attributes: Attributes = Field(default_factory=lambda: attributes("Transition"))


def transition_out(row: Transition, *, as_started: bool = False) -> TransitionOut:
    """A transition; ``as_started`` gives the answer to its creation (its initial status)."""
    events = [
        TransitionEventOut(
            name=event["name"],
            status="Started" if as_started else event["status"],
            timestamp=datetime.fromisoformat(event["timestamp"]),
        )
        for event in row.events
    ]
    return TransitionOut(
        from_catalog_item_id=row.from_catalog_item_id,
        from_subscription_id=row.subscription_id,
        to_catalog_item_id=row.to_catalog_item_id,
        to_subscription_id=row.to_subscription_id,
        quantity=row.quantity,
        term_duration=row.term_duration,
        billing_cycle=row.billing_cycle,
        transition_type=row.transition_type,
        operation_id=row.operation_id,
        status="Started" if as_started else row.status,
        events=events,
    )
