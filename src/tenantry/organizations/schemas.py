"""API shapes of organizations: ``OrganizationCreate``, ``OrganizationUpdate``, ``OrganizationRead``."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, Field, Strict
from pydantic_core import PydanticCustomError

from tenantry.errors import FieldError
from tenantry.models import (
    LinkMethod,
    OrganizationKind,
    OrganizationStatus,
    PlatformModel,
    SignInRequirement,
)
from tenantry.organizations import rules
from tenantry.problems import ProblemDetails
from tenantry.schema_rules import RuleChecked
from tenantry.schemas import (
    Clearable,
    Description,
    Email,
    Id,
    InputSchema,
    OptionalText,
    ReadSchema,
    Reason,
    ShortText,
    UpdateSchema,
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


class OrganizationCreate(RuleChecked):
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
    confirm_duplicate: bool = Field(
        default=False,
        description="Create it even though it shares its domain, registration number, VAT ID or "
        "tenant with an organization of the platform (without it such a request is answered "
        "409 possible_duplicate, listing the matches)",
    )

    @classmethod
    def rule_errors(cls, data: Mapping[str, Any]) -> list[FieldError]:
        mpn = rules.reseller_mpn_error(data.get("kind"), data.get("mpn_id"))
        return rules.given_errors(data) + ([mpn] if mpn else [])


class ProfileUpdate(UpdateSchema, RuleChecked):
    """What the organization's own admins may change."""

    display_name: ShortText | None = None
    domain: Clearable[Domain] = None
    address: Address | None = None
    primary_contact: Contact | None = None
    preferred_currency: Code3 | None = None

    @classmethod
    def rule_errors(cls, data: Mapping[str, Any]) -> list[FieldError]:
        return rules.given_errors(data)


class OrganizationUpdate(ProfileUpdate):
    """Profile plus basic details; basic details need the seller's rights. Industry is fixed."""

    legal_name: ShortText | None = None
    registration_number: Clearable[Identifier] = None
    vat_id: Clearable[Identifier] = None
    erp_id: Clearable[Identifier] = None
    segment_ids: list[Id] | None = Field(default=None, max_length=50)
    custom_properties: dict[PropertyKey, PropertyValue] | None = Field(default=None, max_length=50)
    mpn_id: Clearable[MpnId] = None
    tenant_id: Clearable[Id] = None


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


class MicrosoftTenantRead(ReadSchema):
    """What is known of the Microsoft tenant an organization holds, and how it came to hold it."""

    tenant_id: uuid.UUID
    company_name: str | None
    initial_domain: str | None = Field(description="The tenant's <prefix>.onmicrosoft.com domain")
    default_domain: str | None
    verified_domains: list[str]
    relationship: str = Field(description='"direct" or "indirect" (through reseller_id)')
    reseller_id: uuid.UUID | None
    link_method: LinkMethod = Field(description="verified, webhook, created, entered or synced")
    linked_at: datetime
    linked_by_id: uuid.UUID | None = Field(
        description="The person who linked it; null when Partner Center's webhook or the system did"
    )


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
    mpn_status: str | None = Field(
        default=None,
        description="A reseller's last MPN ID check: valid, or the cause (see "
        "GET /api/v1/resellers/mpn-check); null when never checked",
    )
    mpn_checked_at: datetime | None = None
    tenant_id: uuid.UUID | None
    microsoft_tenant: MicrosoftTenantRead | None = Field(
        default=None,
        description="The linked Microsoft tenant's details (see GET .../tenant); null when no "
        "tenant is linked, or when staff typed tenant_id and nothing more is known",
    )
    approved_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class DuplicateMatch(BaseModel):
    """An organization the new one may duplicate; outside the caller's scope it is not named."""

    field: str = Field(description="domain, registration_number, vat_id or tenant_id")
    value: str
    organization_id: uuid.UUID | None
    display_name: str | None
    status: OrganizationStatus | None
    message: str


class PossibleDuplicateProblem(ProblemDetails):
    matches: list[DuplicateMatch]


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
    billing_address_required: bool = Field(
        description="Resellers' customers need a complete billing address (the country's rules) "
        "before checkout"
    )


def _rule(rule: str, check: Callable[[str], str]) -> Callable[[str], str]:
    """A rule of :mod:`rules` as a schema validator whose error names the rule."""

    def validate(value: str) -> str:
        try:
            return check(value)
        except ValueError as exc:
            raise PydanticCustomError(rule, str(exc)) from None

    return validate


def _no_duplicates(values: list[Any]) -> list[Any]:
    seen = [str(v).lower() for v in values]
    repeated = sorted({v for v in seen if seen.count(v) > 1})
    if repeated:
        raise PydanticCustomError("unique", f"listed more than once: {', '.join(repeated)}")
    return values


Currency = Annotated[str, AfterValidator(_rule("iso4217", rules.iso4217))]
WorkDomain = Annotated[
    str, Text(max_length=253), AfterValidator(_rule("domain_name", rules.dns_domain))
]


class PlatformConfigUpdate(UpdateSchema):
    allowed_currencies: Annotated[list[Currency], AfterValidator(_no_duplicates)] | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="ISO 4217 codes, each once. Removing one that an organization prefers is "
        "refused (409 currency_in_use, naming them): change their currency first.",
    )
    erp_id_required_for_orders: bool | None = None
    work_account_domains: Annotated[list[WorkDomain], AfterValidator(_no_duplicates)] | None = (
        Field(
            default=None,
            max_length=200,
            description="Domain names (IDNA; stored lower-case in their xn-- form), each once, "
            "no wildcards: work accounts from exactly these domains may sign in.",
        )
    )
    notification_cc: Annotated[list[Email], AfterValidator(_no_duplicates)] | None = Field(
        default=None, max_length=20
    )
    billing_address_required: bool | None = Field(
        default=None,
        description="true: a reseller's customer must have a complete billing address by its "
        "country's rules (postal code, state or province where required) before checkout",
    )


class SignInRequirementRead(ReadSchema):
    organization_id: uuid.UUID
    requirement: SignInRequirement = Field(
        description="How the organization's people must sign in: any, password, microsoft "
        "(a personal or a work Microsoft account) or microsoft_work"
    )


class SignInRequirementUpdate(UpdateSchema):
    requirement: Annotated[SignInRequirement, Strict(False)]
