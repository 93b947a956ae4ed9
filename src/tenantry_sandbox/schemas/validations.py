"""Address validation bodies (``POST /v1/validations/address``)."""

from __future__ import annotations

from pydantic import Field

from tenantry_sandbox.binding import RequestModel
from tenantry_sandbox.resources import ResponseModel


class AddressToValidate(RequestModel):
    address_line1: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


class ValidatedAddress(ResponseModel):
    country: str
    city: str | None = None
    state: str | None = None
    address_line1: str
    address_line2: str | None = None
    address_line3: str | None = None
    postal_code: str | None = None


class AddressValidationResult(ResponseModel):
    original_address: ValidatedAddress
    suggested_addresses: list[ValidatedAddress] = Field(default_factory=list)
    status: str
    validation_message: str | None = None
