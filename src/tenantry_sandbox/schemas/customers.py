"""Customer, company profile and billing profile bodies, and how stored rows become them."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from tenantry_sandbox.binding import RequestModel
from tenantry_sandbox.resources import Attributes, Links, ResponseModel, attributes, self_links
from tenantry_sandbox.store.customers import BillingProfile, Customer


class AddressFields(BaseModel):
    """An address as Partner Center writes it, in requests and answers alike."""

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


# ----------------------------------------------------------------------------- requests


class AddressIn(RequestModel, AddressFields):
    pass


class BillingProfileIn(RequestModel):
    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    culture: str | None = None
    language: str | None = None
    company_name: str | None = None
    default_address: AddressIn | None = None


class CompanyProfileIn(RequestModel):
    domain: str | None = None
    company_name: str | None = None
    organization_registration_number: str | None = None


class CustomerCreate(RequestModel):
    company_profile: CompanyProfileIn | None = None
    billing_profile: BillingProfileIn | None = None
    enable_gdap_by_default: bool | None = None
    # The indirect reseller's tenant id, when a distributor creates a customer for a reseller.
    associated_partner_id: str | None = None


class CustomerUpdate(RequestModel):
    relationship_to_partner: str | None = None


# ---------------------------------------------------------------------------- responses


class Address(ResponseModel, AddressFields):
    pass


class CompanyProfile(ResponseModel):
    tenant_id: uuid.UUID
    domain: str
    company_name: str | None = None
    address: Address | None = None
    email: str | None = None
    organization_registration_number: str | None = None
    links: Links | None = None
    attributes: Attributes = Field(default_factory=lambda: attributes("CustomerCompanyProfile"))


class BillingProfileOut(ResponseModel):
    id: uuid.UUID
    first_name: str | None = None
    last_name: str | None = None
    email: str
    culture: str
    language: str
    company_name: str
    default_address: Address
    links: Links | None = None
    attributes: Attributes


class UserCredentials(ResponseModel):
    user_name: str
    password: str


class CustomerOut(ResponseModel):
    id: uuid.UUID
    commerce_id: uuid.UUID | None = None
    company_profile: CompanyProfile
    billing_profile: BillingProfileOut | None = None
    enable_gdap_by_default: bool | None = Field(default=None, alias="enableGDAPByDefault")
    relationship_to_partner: str
    allow_delegated_access: bool | None = None
    user_credentials: UserCredentials | None = None
    custom_domains: list[str] | None = None
    associated_partner_id: uuid.UUID | None = None
    links: Links | None = None
    attributes: Attributes = Field(default_factory=lambda: attributes("Customer"))


class CustomerRelationshipOut(ResponseModel):
    """``PATCH /v1/customers/{id}``'s answer: only the relationship (the rest is null)."""

    relationship_to_partner: str
    attributes: Attributes = Field(default_factory=lambda: attributes("Customer"))


class OrganizationOut(ResponseModel):
    street: str | None = None
    country_letter_code: str
    postal_code: str | None = None
    city: str | None = None
    state: str | None = None
    display_name: str
    technical_notification_mails: list[str] = Field(default_factory=list)


# ------------------------------------------------------------------------------ views


def customer_uri(customer_id: uuid.UUID, suffix: str = "") -> str:
    return f"/customers/{customer_id}{suffix}"


def company_profile(customer: Customer, *, detail: bool = False) -> CompanyProfile:
    """Company profile; ``detail`` adds the address and email (get-by-id, profiles/company)."""
    address = Address(
        country=customer.country,
        region=customer.region,
        city=customer.city,
        address_line1=customer.address_line1,
        postal_code=customer.postal_code,
        phone_number=customer.phone_number,
    )
    return CompanyProfile(
        tenant_id=customer.id,
        domain=customer.initial_domain,
        company_name=customer.company_name,
        address=address if detail else None,
        email=customer.email if detail else None,
        organization_registration_number=(
            customer.organization_registration_number if detail else None
        ),
        links=self_links(customer_uri(customer.id, "/profiles/company")),
    )


def billing_profile(
    customer_id: uuid.UUID, profile: BillingProfile, *, links: bool = True
) -> BillingProfileOut:
    return BillingProfileOut(
        id=profile.id,
        first_name=profile.first_name,
        last_name=profile.last_name,
        email=profile.email,
        culture=profile.culture,
        language=profile.language,
        company_name=profile.company_name,
        default_address=Address(
            country=profile.country,
            region=profile.region,
            city=profile.city,
            state=profile.state,
            address_line1=profile.address_line1,
            address_line2=profile.address_line2,
            address_line3=profile.address_line3,
            postal_code=profile.postal_code,
            first_name=profile.contact_first_name,
            last_name=profile.contact_last_name,
            phone_number=profile.phone_number,
        ),
        links=self_links(customer_uri(customer_id, "/profiles/billing")) if links else None,
        attributes=attributes("CustomerBillingProfile", etag=profile.etag),
    )


def customer_summary(customer: Customer) -> CustomerOut:
    """A customer as collections list it: no billing profile."""
    return CustomerOut(
        id=customer.id,
        company_profile=company_profile(customer),
        relationship_to_partner="reseller",
        links=self_links(customer_uri(customer.id)),
    )


def customer_detail(
    customer: Customer,
    profile: BillingProfile,
    *,
    delegated_admin: bool,
    custom_domains: list[str],
) -> CustomerOut:
    """``GET /v1/customers/{id}``."""
    return CustomerOut(
        id=customer.id,
        commerce_id=customer.commerce_id,
        company_profile=company_profile(customer, detail=True),
        billing_profile=billing_profile(customer.id, profile),
        relationship_to_partner="reseller",
        allow_delegated_access=delegated_admin,
        custom_domains=custom_domains,
        links=self_links(customer_uri(customer.id)),
    )


def customer_organization(customer: Customer) -> OrganizationOut:
    return OrganizationOut(
        street=customer.address_line1,
        country_letter_code=customer.country,
        postal_code=customer.postal_code,
        city=customer.city,
        state=customer.region,
        display_name=customer.company_name,
        technical_notification_mails=[customer.email] if customer.email else [],
    )
