"""API shapes of Partner Center's events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from tenantry.models import EventOutcome
from tenantry.schemas import ReadSchema


class EventReceipt(BaseModel):
    """What Partner Center is told: the event is recorded (now or by an earlier delivery)."""

    id: uuid.UUID
    event_name: str
    duplicate: bool = Field(description="True when an earlier delivery recorded this event")


class PartnerCenterEventRead(ReadSchema):
    id: uuid.UUID
    event_name: str = Field(description="As Partner Center sent it, lower case; may be unknown")
    resource_uri: str | None
    resource_name: str | None
    audit_uri: str | None
    resource_change_utc: str | None = Field(description="Partner Center's ResourceChangeUtcDate")
    received_at: datetime
    outcome: EventOutcome = Field(
        description="received (its job has not run), handled, ignored (nothing to do, or a type "
        "no handler knows) or failed (the handler kept failing; detail says why)"
    )
    handled_at: datetime | None
    detail: str | None = Field(description="What the handler did, or why nothing was done")
    body: dict[str, Any] = Field(description="The payload exactly as delivered")


# The delivered payload as Microsoft documents it (PascalCase; any field may be missing or null).
EVENT_BODY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "EventName": {"type": "string", "example": "reseller-relationship-accepted-by-customer"},
        "ResourceUri": {"type": ["string", "null"]},
        "ResourceName": {"type": ["string", "null"]},
        "AuditUri": {"type": ["string", "null"]},
        "ResourceChangeUtcDate": {"type": ["string", "null"]},
    },
}
