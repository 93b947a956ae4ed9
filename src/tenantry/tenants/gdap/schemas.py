"""API shapes of GDAP relationships."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from tenantry.models import GdapStatus
from tenantry.schemas import InputSchema, ReadSchema
from tenantry.tenants.gdap.templates import MAX_DAYS, MIN_DAYS

TemplateKey = Literal["support", "licensing_and_users", "workloads", "full_administration"]


class GdapRelationshipCreate(InputSchema):
    """Ask the customer's tenant for granular delegated admin access. The customer's primary
    contact gets the approval link by email; the relationship is active once a Global
    Administrator of the tenant approves it in the Microsoft 365 admin center."""

    template: TemplateKey = Field(description="Which roles to ask for (see GET .../gdap-templates)")
    duration_days: int = Field(
        default=MAX_DAYS, ge=MIN_DAYS, le=MAX_DAYS, description="1 to 730 days (2 years)"
    )
    auto_extend: bool = Field(
        default=False,
        description="Extend by 180 days at the end; not allowed with Global Administrator",
    )


class GdapRoleRead(ReadSchema):
    id: str = Field(description="Microsoft Entra role definition (template) id")
    name: str


class GdapRelationshipRead(ReadSchema):
    id: uuid.UUID
    organization_id: uuid.UUID
    requested_by_organization_id: uuid.UUID
    tenant_id: uuid.UUID
    relationship_id: str | None = Field(description="Microsoft Graph's id of the relationship")
    display_name: str
    template: str
    roles: list[GdapRoleRead]
    duration_days: int
    auto_extend: bool
    status: GdapStatus
    approval_url: str | None = Field(
        description="Where the customer's Global Administrator approves it"
    )
    activated_at: datetime | None
    end_at: datetime | None
    created_at: datetime
    updated_at: datetime


class GdapTemplateRead(ReadSchema):
    key: str
    name: str
    description: str
    roles: list[GdapRoleRead]
    allows_auto_extend: bool
