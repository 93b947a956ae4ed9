"""What the evidence export and the compliance view answer (JSON)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from tenantry.models import AcceptanceRoute, AgreementKind, MicrosoftAgreementState


class AcceptanceRecord(BaseModel):
    """One acceptance, as recorded (never changed; a correction is another record)."""

    id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str
    kind: AgreementKind
    route: AcceptanceRoute
    tenant_id: uuid.UUID | None
    template_id: str | None = Field(description="Microsoft's agreement template (MCA)")
    agreement_version_id: uuid.UUID | None = Field(description="The platform's own version")
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    date_agreed: datetime
    recorded_at: datetime
    recorded_by_id: uuid.UUID | None = Field(description="None: recorded by Tenantry itself")
    recorded_by: str
    on_behalf_of: str | None = Field(description="Whom the recorder acted for, if anyone")
    partner_center_request_id: str | None
    request: dict[str, Any] | None = Field(description="What was sent to Partner Center")
    response: dict[str, Any] | None = Field(description="What Partner Center answered")
    corrects_id: uuid.UUID | None = Field(description="The record this one corrects")
    corrected_by_ids: list[uuid.UUID] = Field(description="Records that correct this one")
    attestation_request_id: uuid.UUID | None


class AcceptanceRecords(BaseModel):
    items: list[AcceptanceRecord]


class MissingAgreementRead(BaseModel):
    code: str
    message: str


class RenewalRead(BaseModel):
    subscription_id: str
    name: str
    renews_at: datetime


class ComplianceCustomer(BaseModel):
    organization_id: uuid.UUID
    name: str
    reseller_id: uuid.UUID | None
    reseller_name: str | None
    tenant_id: uuid.UUID | None
    state: MicrosoftAgreementState
    date_agreed: datetime | None
    route: AcceptanceRoute | None
    checked_at: datetime | None
    check_error: str | None
    other_missing: list[MissingAgreementRead]
    open_orders: int = Field(
        description="Orders placed and not finished (waiting for the customer, payment or Microsoft, or failed)"
    )
    renewals: list[RenewalRead] = Field(description="Subscriptions renewing within 30 days")
    at_risk: bool
    agreements_url: str


class ComplianceView(BaseModel):
    items: list[ComplianceCustomer]
    truncated: bool = Field(description="More customers matched than were listed")
    risk_days: int
