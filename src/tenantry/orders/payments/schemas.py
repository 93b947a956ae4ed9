"""What the payments API reads and takes."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, Field

from tenantry.orders.payments.base import StepOutcome
from tenantry.schemas import InputSchema
from tenantry.text import Text


class PaymentStart(InputSchema):
    provider: Annotated[str, Text(min_length=1, max_length=32)] = Field(
        description="An enabled provider that the customer pays online with"
    )
    return_url: Annotated[str, Text(max_length=500)] | None = Field(
        default=None,
        description="Where a payment page sends the customer back (the order's page by default)",
    )


class PaymentStepRead(BaseModel):
    outcome: StepOutcome = Field(
        description="paid; redirect (go to redirect_url); pending (confirmed later); declined"
    )
    redirect_url: str | None
    code: str | None
    message: str | None


class NoticeAnswer(BaseModel):
    result: str = Field(description="applied, or ignored when the order is past waiting for it")


class SegmentPaymentSetting(BaseModel):
    segment_id: uuid.UUID
    name: str
    skip_payment: bool


class OrganizationPaymentSetting(BaseModel):
    organization_id: uuid.UUID
    name: str
    skip_payment: bool


class PaymentSettingsRead(BaseModel):
    segments: list[SegmentPaymentSetting] = Field(description="Every segment of the platform")
    organizations: list[OrganizationPaymentSetting] = Field(
        description="Customers with their own setting (it wins over their segments')"
    )


class SegmentSettingWrite(InputSchema):
    skip_payment: bool


class OrganizationSettingWrite(InputSchema):
    skip_payment: bool | None = Field(
        description="true or false; null removes the customer's own setting (its segments decide)"
    )
