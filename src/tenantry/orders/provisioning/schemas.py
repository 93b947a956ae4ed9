"""What the API says of an order's provisioning in Partner Center."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from tenantry.models import ProvisioningStep
from tenantry.schemas import ReadSchema


class ProvisioningRead(ReadSchema):
    order_id: uuid.UUID
    step: ProvisioningStep | None = Field(
        description="The job's next step: tenant, agreement, cart, checkout, follow, or done; "
        "null until the order (paid) was handed to provisioning"
    )
    summary: str = Field(description="Where the order stands with Microsoft, in words")
    customer_tenant_id: uuid.UUID | None = Field(
        default=None,
        description="The Microsoft tenant (Partner Center customer) the order buys for",
    )
    cart_id: str | None = Field(default=None, description="Partner Center's cart, once made")
    partner_center_order_ids: list[str] = Field(
        default_factory=list, description="Partner Center's orders the checkout placed"
    )
    subscription_ids: list[str] = Field(
        default_factory=list, description="The subscriptions bought, once provisioned"
    )
    waiting_reason: str | None = Field(
        default=None,
        description="Why the job waits (Partner Center busy or unreachable, Microsoft still "
        "provisioning, a new tenant not known yet); null when it does not",
    )
    next_attempt_at: datetime | None = Field(
        default=None, description="When the job looks again while waiting"
    )
    checked_out_at: datetime | None = None
    completed_at: datetime | None = None
