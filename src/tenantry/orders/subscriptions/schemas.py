"""API shapes of a customer's subscriptions and of their changes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict, Field

from tenantry.models import SubscriptionChangeKind, SubscriptionChangeState
from tenantry.schemas import InputSchema, ReadSchema


class SubscriptionChangeRequest(InputSchema):
    """One change: a new number of licenses, or auto-renew on or off (give exactly one)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"quantity": 2}, {"auto_renew": False}]}
    )

    quantity: int | None = Field(
        default=None, ge=1, le=1_000_000,
        description="The number of licenses wanted (fewer only within Microsoft's 7-day window)",
    )  # fmt: skip
    auto_renew: bool | None = Field(
        default=None, description="Renew automatically at the end of the term"
    )


class SubscriptionChangeRead(ReadSchema):
    id: uuid.UUID
    subscription_id: uuid.UUID = Field(validation_alias="subscription_row_id")
    kind: SubscriptionChangeKind
    state: SubscriptionChangeState = Field(
        description="requested (being carried out in Partner Center), done, or failed"
    )
    quantity_before: int | None
    quantity: int | None
    auto_renew: bool | None
    failure: str | None = Field(description="Why it failed, and what to do")
    failure_code: str | None
    requested_by: str = Field(validation_alias="requested_by_label")
    created_at: datetime
    finished_at: datetime | None


class SubscriptionRead(ReadSchema):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    id: uuid.UUID
    organization_id: uuid.UUID
    microsoft_subscription_id: str = Field(validation_alias="subscription_id")
    offer_id: str | None
    offer_name: str | None
    friendly_name: str | None
    quantity: int
    status: str | None
    is_trial: bool
    auto_renew: bool | None
    billing_cycle: str | None
    term_duration: str | None
    commitment_end_at: datetime | None
    decrease_allowed_until: datetime | None = Field(
        default=None,
        description="Until when Microsoft accepts fewer licenses (new commerce); null: no window",
    )
    last_synced_at: datetime


class SubscriptionDetail(SubscriptionRead):
    changes: list[SubscriptionChangeRead]
