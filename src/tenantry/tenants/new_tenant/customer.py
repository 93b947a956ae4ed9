"""The Partner Center customer a new tenant is created as: the organization's company profile,
billing address and primary contact, in the shape ``POST /v1/customers`` takes.

The ``MS-RequestId`` of the creation is derived from the organization and the domain, so a
creation repeated after a crash carries the same one (see docs/partner-center.md).
"""

from __future__ import annotations

import uuid

from tenantry.models import Organization
from tenantry.partnercenter.models.base import Attributes
from tenantry.partnercenter.models.customers import (
    Address,
    BillingProfile,
    CompanyProfile,
    Customer,
)

# Partner Center requires organizationRegistrationNumber (600049) and a phone number (600051) for
# customers in these countries and refuses the number elsewhere (600002).
REGISTRATION_COUNTRIES = frozenset(
    {"AM", "AZ", "BY", "HU", "KZ", "KG", "MD", "RU", "TJ", "UZ", "UA", "IN"}
    | {"BR", "ZA", "PL", "AE", "SA", "TR", "TH", "VN", "MM", "IQ", "SS", "VE"}
)
# The culture and language of Microsoft's mail to the new tenant's billing contact: Partner
# Center accepts en-US in every market, which a guess per country would not guarantee.
CULTURE, LANGUAGE = "en-US", "en"
# Namespace of the request ids Tenantry derives for Partner Center writes.
REQUEST_ID_NAMESPACE = uuid.UUID("5b7e2f8c-3d14-4c86-9a0e-6f1d2b3c4a57")


def create_request_id(organization: Organization, domain: str) -> str:
    """The ``MS-RequestId`` of creating ``domain`` for ``organization``: the same on every
    attempt, a new one for another prefix."""
    return str(uuid.uuid5(REQUEST_ID_NAMESPACE, f"create_customer:{organization.id}:{domain}"))


def contact_names(full_name: str) -> tuple[str, str]:
    """First and last name for Partner Center (1 to 50 characters each) from one name field:
    the last word is the last name; a single word is used for both."""
    words = full_name.split()
    if not words:
        return "Administrator", "Administrator"
    if len(words) == 1:
        return words[0][:50], words[0][:50]
    return " ".join(words[:-1])[:50], words[-1][:50]


def _state(region: str | None) -> tuple[str | None, str | None]:
    """Partner Center's ``state`` holds a two-letter code; a longer region goes to ``region``."""
    if not region:
        return None, None
    text = region.strip()
    return (text.upper(), None) if len(text) <= 2 else (None, text)


def customer_body(organization: Organization, domain: str) -> Customer:
    first, last = contact_names(organization.contact_name)
    state, region = _state(organization.address_region)
    country = organization.address_country.upper()
    address = Address(
        country=country,
        region=region,
        state=state,
        city=organization.address_city,
        address_line1=organization.address_line1,
        address_line2=organization.address_line2 or None,
        postal_code=organization.address_postal_code,
        first_name=first,
        last_name=last,
        phone_number=organization.contact_phone or None,
    )
    registration = organization.registration_number if country in REGISTRATION_COUNTRIES else None
    return Customer(
        company_profile=CompanyProfile(
            domain=domain,
            company_name=organization.legal_name,
            organization_registration_number=registration,
            attributes=Attributes(object_type="CustomerCompanyProfile"),
        ),
        billing_profile=BillingProfile(
            email=organization.contact_email,
            culture=CULTURE,
            language=LANGUAGE,
            company_name=organization.legal_name,
            default_address=address,
            first_name=first,
            last_name=last,
            attributes=Attributes(object_type="CustomerBillingProfile"),
        ),
        attributes=Attributes(object_type="Customer"),
    )
