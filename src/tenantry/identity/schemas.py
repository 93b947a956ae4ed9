"""API shapes of people, memberships, API tokens and ``/me``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, Strict, computed_field

from tenantry.models import OrganizationKind, OrganizationStatus, Role, utcnow
from tenantry.schemas import InputSchema, ReadSchema, UpdateSchema
from tenantry.security import Permission
from tenantry.text import Text

TokenName = Annotated[str, Text(min_length=1, max_length=100)]
RoleName = Annotated[Role, Strict(False)]  # JSON sends the role's name
TokenStatus = Literal["active", "expired", "revoked"]


class OrganizationRef(ReadSchema):
    id: uuid.UUID
    kind: OrganizationKind
    display_name: str
    status: OrganizationStatus


class MemberUpdate(UpdateSchema):
    role: RoleName | None = Field(default=None, description="The member's new role")


class MemberRead(ReadSchema):
    user_id: uuid.UUID
    organization_id: uuid.UUID
    email: str
    full_name: str
    role: Role
    joined_at: datetime
    last_login_at: datetime | None
    active: bool = Field(description="False when the person's account is switched off")


class ApiTokenCreate(InputSchema):
    name: TokenName = Field(description="What the token is for, e.g. 'ERP integration'")
    role: RoleName = Field(description="At most your own role, and one of the organization's kind")
    expires_in_days: int = Field(default=90, ge=1, le=365)


class ApiTokenRead(ReadSchema):
    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    prefix: str = Field(description="The first characters of the secret, to recognise it by")
    role: Role
    created_at: datetime
    created_by_id: uuid.UUID | None
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> TokenStatus:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= utcnow() else "active"


class ApiTokenIssued(ApiTokenRead):
    secret: str = Field(
        description="Send as 'Authorization: Bearer <secret>'. Shown only in this answer; "
        "Tenantry keeps just its hash."
    )


class PersonRead(ReadSchema):
    id: uuid.UUID
    email: str
    full_name: str


class TokenIdentity(ReadSchema):
    id: uuid.UUID
    name: str
    prefix: str
    expires_at: datetime


class MembershipRead(BaseModel):
    organization: OrganizationRef
    role: Role


class MeRead(BaseModel):
    """The caller of the request, as the API sees it."""

    kind: Literal["user", "api_token"]
    label: str
    organization: OrganizationRef
    role: Role
    permissions: list[Permission]
    user: PersonRead | None = None
    api_token: TokenIdentity | None = None
    on_behalf_of: str | None = Field(
        default=None,
        description="The customer a seller's staff member acts for (login on behalf); then "
        "'organization' is that customer, 'user' and 'label' name the staff member",
    )
    on_behalf_until: datetime | None = Field(
        default=None, description="When acting for the customer ends by itself"
    )
    memberships: list[MembershipRead] = Field(
        default_factory=list,
        description="Every organization the person belongs to (empty for API tokens)",
    )
