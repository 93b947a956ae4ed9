"""Partner Center's input rules for billing profiles and addresses.

Used by create customer and by the billing profile update, so both refuse the same input with the
same codes: 3000 (invalid property, the offending fields in ``data``), 27002 (notification e-mail
invalid), 600049 / 600002 / 600051 (registration number required / not supported, phone required)
for the countries Microsoft lists.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pycountry

from tenantry_sandbox.errors import PartnerCenterError, invalid_property
from tenantry_sandbox.schemas.customers import AddressIn, BillingProfileIn
from tenantry_sandbox.store.customers import PostalAddress, billing_row, new_etag

# Countries where organizationRegistrationNumber and a phone number are mandatory.
REGISTRATION_COUNTRIES = frozenset(
    [
        "AM",
        "AZ",
        "BY",
        "HU",
        "KZ",
        "KG",
        "MD",
        "RU",
        "TJ",
        "UZ",
        "UA",
        "IN",
        "BR",
        "ZA",
        "PL",
        "AE",
        "SA",
        "TR",
        "TH",
        "VN",
        "MM",
        "IQ",
        "SS",
        "VE",
    ]
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
CULTURE = re.compile(r"^([A-Za-z]{2,3})(?:-([A-Za-z]{2,4}))?$")

# (field, minimum, maximum) per the documented address limits.
ADDRESS_LIMITS = (
    ("addressLine1", 1, 200),
    ("addressLine2", 0, 200),
    ("addressLine3", 0, 200),
    ("city", 1, 128),
    ("firstName", 1, 50),
    ("lastName", 1, 50),
)


@dataclass(frozen=True)
class ValidBillingProfile:
    email: str
    culture: str
    language: str
    company_name: str
    address: PostalAddress
    first_name: str | None
    last_name: str | None

    def row(self, customer_id: uuid.UUID, profile_id: uuid.UUID) -> dict[str, object]:
        """The profile's column values, under a new etag (creating or replacing a profile)."""
        return billing_row(
            customer_id,
            profile_id=profile_id,
            email=self.email,
            culture=self.culture,
            language=self.language,
            company_name=self.company_name,
            address=self.address,
            etag=new_etag(),
            first_name=self.first_name,
            last_name=self.last_name,
        )


def _missing(values: dict[str, str | None], prefix: str) -> list[str]:
    return [f"{prefix}.{name}" for name, value in values.items() if not (value or "").strip()]


def normalise_culture(culture: str) -> str | None:
    """``EN-us`` -> ``en-US``; None when it is no culture name."""
    match = CULTURE.match(culture.strip())
    if match is None:
        return None
    language, region = match.groups()
    return f"{language.lower()}-{region.upper()}" if region else language.lower()


def validate_address(address: AddressIn, prefix: str) -> PostalAddress:
    required = {
        "addressLine1": address.address_line1,
        "city": address.city,
        "country": address.country,
        "firstName": address.first_name,
        "lastName": address.last_name,
    }
    missing = _missing(required, prefix)
    if missing:
        raise invalid_property("Required properties are missing: " + ", ".join(missing), *missing)
    values = {
        "addressLine1": address.address_line1,
        "addressLine2": address.address_line2,
        "addressLine3": address.address_line3,
        "city": address.city,
        "firstName": address.first_name,
        "lastName": address.last_name,
    }
    too_long = [
        f"{prefix}.{name}"
        for name, low, high in ADDRESS_LIMITS
        if values[name] is not None and not low <= len(values[name] or "") <= high
    ]
    if too_long:
        raise invalid_property("Properties exceed their length: " + ", ".join(too_long), *too_long)
    country = (address.country or "").strip().upper()
    if len(country) != 2 or pycountry.countries.get(alpha_2=country) is None:
        raise invalid_property(
            f"Country '{address.country}' is not an ISO 3166 two-letter code.", f"{prefix}.country"
        )
    return PostalAddress(
        country=country,
        city=(address.city or "").strip(),
        address_line1=(address.address_line1 or "").strip(),
        postal_code=address.postal_code,
        state=address.state,
        region=address.region,
        address_line2=address.address_line2,
        address_line3=address.address_line3,
        first_name=address.first_name,
        last_name=address.last_name,
        phone_number=(address.phone_number or "").strip(),
    )


def validate_billing_profile(profile: BillingProfileIn | None, prefix: str) -> ValidBillingProfile:
    if profile is None:
        raise invalid_property(f"{prefix} is required.", prefix)
    required = {
        "email": profile.email,
        "culture": profile.culture,
        "language": profile.language,
        "companyName": profile.company_name,
    }
    missing = _missing(required, prefix)
    if profile.default_address is None:
        missing.append(f"{prefix}.defaultAddress")
    if missing:
        raise invalid_property("Required properties are missing: " + ", ".join(missing), *missing)
    assert profile.default_address is not None
    email = (profile.email or "").strip()
    if not EMAIL.match(email):
        raise PartnerCenterError(400, 27002, f"NotificationEmailAddress: {email} is invalid")
    culture = normalise_culture(profile.culture or "")
    if culture is None:
        raise invalid_property(f"Culture '{profile.culture}' is not valid.", f"{prefix}.culture")
    return ValidBillingProfile(
        email=email,
        culture=culture,
        language=(profile.language or "").strip(),
        company_name=(profile.company_name or "").strip(),
        address=validate_address(profile.default_address, f"{prefix}.defaultAddress"),
        first_name=profile.first_name,
        last_name=profile.last_name,
    )


def check_country_rules(country: str, registration_number: str | None, phone: str) -> None:
    """The registration-number and phone rules for the countries Microsoft lists."""
    if country in REGISTRATION_COUNTRIES:
        if not (registration_number or "").strip():
            raise PartnerCenterError(
                400,
                600049,
                f"organizationRegistrationNumber is required for customers in {country}.",
            )
        if not phone:
            raise PartnerCenterError(
                400, 600051, f"A phone number is required for customers in {country}."
            )
    elif registration_number:
        raise PartnerCenterError(
            400,
            600002,
            f"organizationRegistrationNumber is not supported for customers in {country}.",
        )
