"""Customers, their profiles, addresses and partner relationships."""

from __future__ import annotations

from pydantic import Field

from tenantry.partnercenter.models.base import (
    Attributes,
    PartnerCenterModel,
    Resource,
    SeekResourceCollection,
    WireEnum,
)


class RelationshipToPartner(WireEnum):
    NONE = "none"
    RESELLER = "reseller"
    ADVISOR = "advisor"
    SYNDICATION = "syndication"
    MICROSOFT_SUPPORT = "microsoft_support"


class CustomerSearchField(WireEnum):
    """Fields the customer filter supports (operator ``starts_with``, case-insensitive)."""

    COMPANY_NAME = "CompanyName"
    DOMAIN = "Domain"
    INDIRECT_RESELLER = "IndirectReseller"
    INDIRECT_CLOUD_SOLUTION_PROVIDER = "IndirectCloudSolutionProvider"


class Address(PartnerCenterModel):
    """A postal address; ``state`` is the two-letter code where the country has states."""

    country: str | None = None
    region: str | None = None
    city: str | None = None
    state: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    postal_code: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone_number: str | None = None


class BillingProfile(Resource):
    """``CustomerBillingProfile``; its ``attributes.etag`` guards updates."""

    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    culture: str | None = None
    language: str | None = None
    company_name: str | None = None
    default_address: Address | None = None


class CompanyProfile(Resource):
    """``CustomerCompanyProfile``; ``domain`` is the tenant's initial ``*.onmicrosoft.com``."""

    tenant_id: str | None = None
    domain: str | None = None
    company_name: str | None = None
    address: Address | None = None
    email: str | None = None
    organization_registration_number: str | None = None


class UserCredentials(PartnerCenterModel):
    """Returned once by create customer: the first Global Administrator of the new tenant."""

    user_name: str | None = None
    password: str | None = Field(default=None, repr=False)


class Customer(Resource):
    """A customer; ``id`` equals ``companyProfile.tenantId`` and the Entra tenant id.

    List and search results are slim (no billing profile); get-by-id returns address, email and
    custom domains only when the partner holds GDAP roles on the tenant.
    """

    id: str | None = None
    commerce_id: str | None = None
    company_profile: CompanyProfile | None = None
    billing_profile: BillingProfile | None = None
    relationship_to_partner: str | None = None
    allow_delegated_access: bool | None = None
    user_credentials: UserCredentials | None = None
    custom_domains: list[str] | None = None
    associated_partner_id: str | None = None
    enable_gdap_by_default: bool | None = Field(default=None, alias="enableGDAPByDefault")


CustomerPage = SeekResourceCollection[Customer]


class CustomerOrganization(PartnerCenterModel):
    """One entry of ``GET /customers/{id}/organization`` (GDAP roles required)."""

    street: str | None = None
    country_letter_code: str | None = None
    postal_code: str | None = None
    city: str | None = None
    state: str | None = None
    display_name: str | None = None
    technical_notification_mails: list[str] | None = None


class AddressValidationStatus(WireEnum):
    VERIFIED_SHIPPABLE = "VerifiedShippable"
    VERIFIED = "Verified"
    INTERACTION_REQUIRED = "InteractionRequired"
    STREET_PARTIAL = "StreetPartial"
    PREMISES_PARTIAL = "PremisesPartial"
    MULTIPLE = "Multiple"
    NONE = "None"
    NOT_VALIDATED = "NotValidated"


class AddressValidationResult(PartnerCenterModel):
    original_address: Address | None = None
    suggested_addresses: list[Address] = Field(default_factory=list)
    status: str | None = None
    validation_message: str | None = None

    @property
    def is_verified(self) -> bool:
        status = AddressValidationStatus.parse(self.status)
        return status in (
            AddressValidationStatus.VERIFIED,
            AddressValidationStatus.VERIFIED_SHIPPABLE,
        )


class RelationshipRequest(PartnerCenterModel):
    """The link a customer's Global Administrator opens to accept the partner as reseller."""

    url: str
    attributes: Attributes | None = None


class RelationshipType(WireEnum):
    IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF = "is_indirect_cloud_solution_provider_of"
    IS_INDIRECT_RESELLER_OF = "is_indirect_reseller_of"


class PartnerRelationship(PartnerCenterModel):
    """A partner linked to us or to a customer; ``id`` is the partner's tenant id.

    ``mpn_id`` is the partner's PartnerID (MPN ID), the key resellers are known by.
    """

    id: str
    name: str | None = None
    relationship_type: str | None = None
    state: str | None = None
    mpn_id: str | None = None
    location: str | None = None
    attributes: Attributes | None = None


class MpnProfile(Resource):
    """A partner's network profile; a 200 proves the PartnerID exists."""

    partner_name: str | None = None
    mpn_id: str | None = None
    profile_type: str | None = None
