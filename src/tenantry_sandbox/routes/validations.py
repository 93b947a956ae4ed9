"""Address validation: ``POST /v1/validations/address``.

There is no postal database behind the sandbox; its verdicts follow fixed rules (see
docs/sandbox.md) so clients can exercise every branch:

- no house number in ``addressLine1`` -> ``StreetPartial``, suggesting the street with number 1;
- a US address whose ZIP code is missing or malformed -> ``InteractionRequired``;
- otherwise ``VerifiedShippable``, suggesting the same address (US: with a ZIP+4 code).
"""

from __future__ import annotations

import hashlib
import re

import pycountry

from tenantry_sandbox import errors
from tenantry_sandbox.api import partner_center_router
from tenantry_sandbox.schemas.validations import (
    AddressToValidate,
    AddressValidationResult,
    ValidatedAddress,
)

router = partner_center_router(tags=["validations"])

US_ZIP = re.compile(r"^\d{5}(-\d{4})?$")


def _zip_plus_four(address: ValidatedAddress) -> str:
    digest = hashlib.sha256(f"{address.address_line1}|{address.postal_code}".lower().encode())
    return f"{(address.postal_code or '')[:5]}-{int(digest.hexdigest(), 16) % 10000:04d}"


@router.post("/validations/address", summary="Validate an address")
async def validate_address(body: AddressToValidate) -> AddressValidationResult:
    missing = [
        name
        for name, value in (("addressLine1", body.address_line1), ("country", body.country))
        if not (value or "").strip()
    ]
    if missing:
        raise errors.invalid_property(
            "Required properties are missing: " + ", ".join(missing), *missing
        )
    country = (body.country or "").strip().upper()
    if pycountry.countries.get(alpha_2=country) is None:
        raise errors.invalid_property(f"Country '{body.country}' is not valid.", "country")
    original = ValidatedAddress(
        country=country,
        city=body.city,
        state=body.state,
        address_line1=(body.address_line1 or "").strip(),
        address_line2=body.address_line2,
        address_line3=body.address_line3,
        postal_code=body.postal_code,
    )
    if not any(character.isdigit() for character in original.address_line1):
        suggestion = original.model_copy(update={"address_line1": f"1 {original.address_line1}"})
        if country == "US" and original.postal_code and US_ZIP.match(original.postal_code):
            suggestion = suggestion.model_copy(update={"postal_code": _zip_plus_four(suggestion)})
        return AddressValidationResult(
            original_address=original,
            suggested_addresses=[suggestion],
            status="StreetPartial",
            validation_message="Address field invalid for property: 'AddressLine1'",
        )
    if country == "US" and not US_ZIP.match(original.postal_code or ""):
        return AddressValidationResult(
            original_address=original,
            status="InteractionRequired",
            validation_message="Address field invalid for property: 'PostalCode'",
        )
    suggestion = original
    if country == "US":
        suggestion = original.model_copy(update={"postal_code": _zip_plus_four(original)})
    return AddressValidationResult(
        original_address=original, suggested_addresses=[suggestion], status="VerifiedShippable"
    )
