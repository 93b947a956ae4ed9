"""API shapes of the Service Details step and of linked tenants."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from tenantry.models import LinkMethod, ServiceDetailsStatus, TenantChoice
from tenantry.schemas import Email, InputSchema, ReadSchema


class ServiceDetailsWrite(InputSchema):
    """Choose the tenant the organization's orders are for: a new one (``domain_prefix``) or the
    customer's existing one (``customer_domain``), which answers with the authorization link."""

    choice: Literal["new", "existing"]
    domain_prefix: str | None = Field(
        default=None, max_length=100,
        description="New tenant: the name before .onmicrosoft.com (letters and digits, 1-27)",
    )  # fmt: skip
    customer_domain: str | None = Field(
        default=None, max_length=253,
        description="Existing tenant: a domain the customer uses with Microsoft 365",
    )  # fmt: skip


class VerifyRequest(InputSchema):
    customer_domain: str | None = Field(
        default=None, max_length=253,
        description="The customer's default domain, when it is not the one given before",
    )  # fmt: skip


class EmailRequest(InputSchema):
    to: Email | None = Field(
        default=None, max_length=254,
        description="Who receives the link; the organization's primary contact when left out",
    )  # fmt: skip


class ServiceDetailsRead(ReadSchema):
    organization_id: uuid.UUID
    done: bool = Field(description="True when checkout may go on: a tenant linked or a prefix held")
    choice: TenantChoice | None
    status: ServiceDetailsStatus | None
    domain_prefix: str | None
    domain: str | None = Field(description="New tenant: the full <prefix>.onmicrosoft.com")
    customer_domain: str | None
    authorization_url: str | None
    reseller_id: uuid.UUID | None
    last_verified_at: datetime | None
    last_verify_outcome: str | None
    tenant_id: uuid.UUID | None = Field(description="The linked tenant, once there is one")


class DomainAvailability(ReadSchema):
    prefix: str
    domain: str
    available: bool
    rule: str | None = Field(description="The rule the prefix breaks (or domain_available)")
    message: str | None


class TenantRead(ReadSchema):
    organization_id: uuid.UUID
    tenant_id: uuid.UUID
    company_name: str | None
    initial_domain: str | None
    default_domain: str | None
    verified_domains: list[str]
    relationship: str
    reseller_id: uuid.UUID | None
    link_method: LinkMethod
    linked_at: datetime


class OrganizationTenant(ReadSchema):
    organization_id: uuid.UUID
    tenant: TenantRead | None = Field(description="The linked tenant; null while none is linked")
