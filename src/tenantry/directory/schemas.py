"""API shapes of a customer's imported directory, its imports, license changes and trial
conversions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from tenantry.models import DirectoryImportStatus, LicenseSource, TrialConversionStatus
from tenantry.schemas import InputSchema, ReadSchema

SkuId = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    ),
]


class ImportProblem(ReadSchema):
    what: str = Field(description="What could not be read (a user, the domains...)")
    message: str


class DirectoryImportRead(ReadSchema):
    id: uuid.UUID
    organization_id: uuid.UUID
    reason: str = Field(description="manual, schedule, or the event that asked (first_order:...)")
    status: DirectoryImportStatus
    joined: int = Field(description="Requests that joined this import instead of starting one")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    users_added: int
    users_updated: int
    users_removed: int
    users_unchanged: int
    domains_added: int
    domains_removed: int
    licenses_added: int
    licenses_updated: int
    licenses_removed: int
    assignments_added: int
    assignments_removed: int
    problems: list[ImportProblem] = Field(description="What was left out (status partial)")
    error: str | None = Field(description="Why a failed import stopped, in plain words")


class DirectoryLicenseRead(ReadSchema):
    sku_id: str = Field(description="Microsoft's license SKU id (skuId)")
    name: str
    sku_part_number: str | None
    capability_status: str | None
    active_units: int
    consumed_units: int
    available_units: int
    our_units: int = Field(description="Units of subscriptions bought through this platform")
    other_units: int = Field(description="Units bought from another provider (or Microsoft)")
    trial_units: int = Field(description="Of our units, those of trials (free until converted)")
    source: LicenseSource


class DirectoryDomainRead(ReadSchema):
    name: str
    is_initial: bool = Field(description="The tenant's initial <prefix>.onmicrosoft.com domain")


class UserLicenseRead(ReadSchema):
    sku_id: str
    name: str
    source: LicenseSource | None = Field(description="Null for a SKU the tenant no longer lists")


class DirectoryUserRead(ReadSchema):
    id: uuid.UUID
    organization_id: uuid.UUID
    user_id: str = Field(description="The user's Microsoft Entra object id")
    user_principal_name: str
    display_name: str
    first_name: str | None
    last_name: str | None
    usage_location: str | None = Field(description="Without one Microsoft assigns no license")
    state: str | None
    licenses: list[UserLicenseRead]


class DirectoryRead(ReadSchema):
    organization_id: uuid.UUID
    tenant_id: uuid.UUID | None
    last_import: DirectoryImportRead | None = Field(description="The last import that ended")
    open_import: DirectoryImportRead | None = Field(description="An import queued or running")
    user_count: int
    licenses: list[DirectoryLicenseRead]
    domains: list[DirectoryDomainRead]


class LicenseChangeCreate(InputSchema):
    """Licenses to assign to and remove from one user: only licenses bought through this
    platform. Assigning one the user holds, or removing one they do not, changes nothing."""

    assign: list[SkuId] = Field(default_factory=list, max_length=20)
    remove: list[SkuId] = Field(default_factory=list, max_length=20)


class TrialConversionRead(ReadSchema):
    id: uuid.UUID
    organization_id: uuid.UUID
    trial_subscription_id: str
    offer_id: str | None
    offer_name: str | None
    status: TrialConversionStatus
    method: str | None = Field(description="conversion (legacy offers) or transition")
    reason: str | None = Field(description="Why it was not converted, or what users lost")
    paid_subscription_id: str | None
    target_offer_id: str | None
    quantity: int | None
    users_before: int
    users_kept: int
    users_lost: list[str]
    created_at: datetime
