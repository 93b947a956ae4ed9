"""API shapes of organizations: ``OrganizationCreate``, ``OrganizationUpdate``, ``OrganizationRead``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, Strict

from tenantry.models import (
    OrganizationKind,
    OrganizationStatus,
    PlatformModel,
    SignInRequirement,
)
from tenantry.schemas import (
    Description,
    Email,
    Id,
    InputSchema,
    OptionalText,
    ReadSchema,
    Reason,
    ShortText,
)
from tenantry.text import Text

Code2 = Annotated[str, Text(to_upper=True, pattern=r"^[A-Za-z]{2}$", max_length=2)]
Code3 = Annotated[str, Text(to_upper=True, pattern=r"^[A-Za-z]{3}$", max_length=3)]
Identifier = Annotated[str, Text(min_length=1, max_length=64)]
Domain = Annotated[str, Text(to_lower=True, max_length=253)]
# ASCII digits only: a pattern's \d would take any script's digits (full-width, Arabic-Indic).
MpnId = Annotated[str, Text(pattern=r"^[0-9]{6,10}$", max_length=10)]
PropertyKey = Annotated[str, Text(pattern=r"^[a-z][a-z0-9_]{0,63}$", max_length=64)]
PropertyValue = Annotated[str, Text(max_length=500)]
Industry = Literal[
    "agriculture", "construction", "education", "energy", "finance", "government", "healthcare",
    "hospitality", "information_technology", "legal", "manufacturing", "media", "nonprofit",
    "professional_services", "real_estate", "retail", "telecommunications", "transportation", "other",
]  # fmt: skip
INDUSTRIES: tuple[str, ...] = get_args(Industry)


class Address(InputSchema):
    line1: ShortText
    line2: OptionalText | None = None
    city: Annotated[str, Text(min_length=1, max_length=100)]
    region: Annotated[str, Text(max_length=100)] | None = None
    postal_code: Annotated[str, Text(max_length=20)] | None = None
    country: Code2


class Contact(InputSchema):
    name: ShortText
    email: Email
    phone: Annotated[str, Text(max_length=32)] | None = None


class OrganizationCreate(InputSchema):
    kind: Literal["reseller", "customer"]
    parent_id: Id | None = Field(
        default=None,
        description="The reseller a customer belongs to; omit for a direct customer of the platform "
        "or when a reseller creates its own customer.",
    )
    legal_name: ShortText
    display_name: ShortText | None = None
    registration_number: Identifier | None = None
    vat_id: Identifier | None = None
    domain: Domain | None = None
    industry: Industry | None = None
    address: Address
    primary_contact: Contact
    preferred_currency: Code3
    erp_id: Identifier | None = None
    segment_ids: list[Id] = Field(default_factory=list, max_length=50)
    custom_properties: dict[PropertyKey, PropertyValue] = Field(default_factory=dict, max_length=50)
    mpn_id: MpnId | None = Field(default=None, description="Resellers' MPN (Partner) ID")
    tenant_id: Id | None = Field(default=None, description="The Microsoft tenant, if known")
    approve: bool = Field(
        default=False, description="'Create and approve': start active, not pending"
    )


class ProfileUpdate(InputSchema):
    """What the organization's own admins may change."""

    display_name: ShortText | None = None
    domain: Domain | None = None
    address: Address | None = None
    primary_contact: Contact | None = None
    preferred_currency: Code3 | None = None


class OrganizationUpdate(ProfileUpdate):
    """Profile plus basic details; basic details need the seller's rights. Industry is fixed."""

    legal_name: ShortText | None = None
    registration_number: Identifier | None = None
    vat_id: Identifier | None = None
    erp_id: Identifier | None = None
    segment_ids: list[Id] | None = Field(default=None, max_length=50)
    custom_properties: dict[PropertyKey, PropertyValue] | None = Field(default=None, max_length=50)
    mpn_id: MpnId | None = None
    tenant_id: Id | None = None


BASIC_FIELDS = frozenset(OrganizationUpdate.model_fields) - frozenset(ProfileUpdate.model_fields)


class StatusChange(InputSchema):
    reason: Reason


class SegmentRead(ReadSchema):
    id: uuid.UUID
    name: str
    description: str | None


class AddressRead(ReadSchema):
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str | None
    country: str


class ContactRead(ReadSchema):
    name: str
    email: str
    phone: str | None


class OrganizationRead(ReadSchema):
    id: uuid.UUID
    kind: OrganizationKind
    platform_model: PlatformModel | None
    parent_id: uuid.UUID | None
    status: OrganizationStatus
    status_reason: str | None
    legal_name: str
    display_name: str
    registration_number: str | None
    vat_id: str | None
    domain: str | None
    industry: str | None
    address: AddressRead
    primary_contact: ContactRead
    preferred_currency: str
    erp_id: str | None
    segments: list[SegmentRead]
    custom_properties: dict[str, Any]
    mpn_id: str | None
    tenant_id: uuid.UUID | None
    approved_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class SegmentCreate(InputSchema):
    name: Annotated[str, Text(min_length=1, max_length=64)]
    description: Description | None = None


class CustomPropertyCreate(InputSchema):
    key: PropertyKey
    label: ShortText
    required: bool = False


class CustomPropertyRead(ReadSchema):
    id: uuid.UUID
    key: str
    label: str
    required: bool


class PlatformConfigRead(ReadSchema):
    allowed_currencies: list[str]
    erp_id_required_for_orders: bool
    work_account_domains: list[str]
    notification_cc: list[str]


class PlatformConfigUpdate(InputSchema):
    allowed_currencies: list[Code3] | None = Field(default=None, min_length=1, max_length=50)
    erp_id_required_for_orders: bool | None = None
    work_account_domains: list[Domain] | None = Field(default=None, max_length=200)
    notification_cc: list[Email] | None = Field(default=None, max_length=20)


class SignInRequirementRead(ReadSchema):
    organization_id: uuid.UUID
    requirement: SignInRequirement = Field(
        description="How the organization's people must sign in: any, password, microsoft "
        "(a personal or a work Microsoft account) or microsoft_work"
    )


class SignInRequirementUpdate(InputSchema):
    requirement: Annotated[SignInRequirement, Strict(False)]
