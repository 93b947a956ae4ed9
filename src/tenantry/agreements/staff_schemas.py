"""Shapes of the Microsoft Customer Agreement's API for sellers' staff: the status, attestations,
the acceptance request email and resellers' attestation requests."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, Strict

from tenantry.models import AcceptanceRoute, AttestationRequestStatus
from tenantry.schemas import InputSchema, OptionalText, ReadSchema, Reason
from tenantry.text import Text

Day = Annotated[date, Strict(False)]  # JSON sends "2026-11-30"

StateName = Literal["accepted", "direct_signed", "missing", "unknown", "pending"]


class AttestationCreate(InputSchema):
    """Who accepted the agreement outside Tenantry, and on which date."""

    first_name: OptionalText | None = None
    last_name: OptionalText | None = None
    email: OptionalText | None = None
    phone: OptionalText | None = Field(default=None, description="Optional")
    date_agreed: Day | None = Field(
        default=None,
        description="Not in the future in UTC nor in the customer's time zone; 2018 or later",
    )


class AttestationRequestCreate(AttestationCreate):
    """What the reseller obtained, for its distributor to attest."""

    note: Annotated[str, Text(max_length=2000, multiline=True)] | None = None


class AttestationRequestDecline(InputSchema):
    reason: Reason = Field(description="Said to the reseller")


class AcceptanceRequestSend(InputSchema):
    to: OptionalText | None = Field(
        default=None, max_length=254, description="Default: the customer's primary contact"
    )


class AcceptanceRead(ReadSchema):
    """One acceptance of the agreement (evidence). The template ID is for audits, not people."""

    id: uuid.UUID
    route: AcceptanceRoute
    date_agreed: datetime
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    template_id: str | None
    recorded_by_label: str
    on_behalf_of_label: str | None
    recorded_at: datetime
    attestation_request_id: uuid.UUID | None


class ViewerActions(ReadSchema):
    """What the caller can do about the agreement of this customer."""

    refresh: bool
    attest: bool
    send_acceptance_request: bool
    request_attestation: bool


class MicrosoftAgreementRead(ReadSchema):
    organization_id: uuid.UUID
    tenant_id: uuid.UUID | None
    state: StateName = Field(description="pending: accepted in Tenantry for a tenant not yet made")
    date_agreed: datetime | None
    route: AcceptanceRoute | None
    checked_at: datetime | None
    check_error: str | None
    latest_evidence: AcceptanceRead | None
    open_attestation_request_id: uuid.UUID | None
    viewer_can: ViewerActions


class AttestationRead(ReadSchema):
    acceptance: AcceptanceRead
    status: MicrosoftAgreementRead


class AttestationRequestRead(ReadSchema):
    id: uuid.UUID
    organization_id: uuid.UUID
    reseller_id: uuid.UUID
    status: AttestationRequestStatus
    requested_by_label: str
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    date_agreed: datetime | None
    note: str | None
    decided_at: datetime | None
    outcome_note: str | None
    created_at: datetime


class AcceptanceRequestSent(ReadSchema):
    sent_to: str
    link: str = Field(description="The admin center page the customer accepts on")
    already_sent_today: bool
