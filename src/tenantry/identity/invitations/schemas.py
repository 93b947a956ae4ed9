"""API shapes of invitations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field, computed_field

from tenantry.identity.schemas import RoleName
from tenantry.models import Role, utcnow
from tenantry.schemas import Email, InputSchema, ReadSchema

InvitationStatus = Literal["pending", "expired", "accepted", "revoked"]


class InvitationCreate(InputSchema):
    """Invite a person by email. The answer is the same whether or not the address has an
    account: nothing about accounts outside your organization is revealed."""

    email: Email
    role: RoleName = Field(description="Must be one of the organization's kind, at most your own")


class InvitationRead(ReadSchema):
    id: uuid.UUID
    organization_id: uuid.UUID
    email: str
    role: Role
    created_at: datetime
    expires_at: datetime
    sent_count: int = Field(description="How many times the link was emailed")
    accepted_at: datetime | None
    revoked_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> InvitationStatus:
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= utcnow() else "pending"
