"""Checks an organization's fields as a whole, collecting every problem before refusing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from tenantry.errors import FieldError, ValidationFailed
from tenantry.models import CustomPropertyDefinition, PlatformConfig
from tenantry.organizations import rules
from tenantry.organizations.schemas import Address, Contact

# API field -> column, for the nested parts of the schema.
ADDRESS_COLUMNS = {
    "line1": "address_line1",
    "line2": "address_line2",
    "city": "address_city",
    "region": "address_region",
    "postal_code": "address_postal_code",
    "country": "address_country",
}
CONTACT_COLUMNS = {"name": "contact_name", "email": "contact_email", "phone": "contact_phone"}


def flatten(address: Address | None, contact: Contact | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if address is not None:
        values |= {ADDRESS_COLUMNS[k]: v for k, v in address.model_dump().items()}
    if contact is not None:
        values |= {CONTACT_COLUMNS[k]: v for k, v in contact.model_dump().items()}
    return values


@dataclass
class Checker:
    config: PlatformConfig
    property_definitions: list[CustomPropertyDefinition]
    errors: list[FieldError] = field(default_factory=list)

    def add(self, error: FieldError | None) -> None:
        if error is not None:
            self.errors.append(error)

    def check(self, values: dict[str, Any], *, creating: bool) -> dict[str, Any]:
        """Validate the organization as it would be after the write; return normalised values."""
        errors, phone = rules.country_rule_errors(
            country=values["address_country"], region=values.get("address_region"),
            postal_code=values.get("address_postal_code"), vat_id=values.get("vat_id"),
            registration_number=values.get("registration_number"),
            phone=values.get("contact_phone"),
        )  # fmt: skip
        self.errors.extend(errors)
        if phone:
            values["contact_phone"] = phone
        if values.get("domain"):
            self.add(rules.domain_error("domain", values["domain"]))
        self.add(
            rules.currency_error(
                "preferred_currency", values["preferred_currency"], self.config.allowed_currencies
            )
        )
        self._check_custom_properties(values.get("custom_properties") or {}, creating=creating)
        return values

    def _check_custom_properties(self, properties: dict[str, str], *, creating: bool) -> None:
        known = {d.key: d for d in self.property_definitions}
        for key in properties:
            if key not in known:
                self.add(
                    FieldError(
                        f"custom_properties.{key}",
                        "defined_property",
                        f"'{key}' is not a custom property the platform defines",
                    )
                )
        for definition in known.values():
            if definition.required and not properties.get(definition.key):
                self.add(
                    FieldError(
                        f"custom_properties.{definition.key}",
                        "required",
                        f"'{definition.label}' is required",
                    )
                )

    def check_segments(self, requested: list[uuid.UUID], found: set[uuid.UUID]) -> None:
        for index, segment_id in enumerate(requested):
            if segment_id not in found:
                self.add(
                    FieldError(
                        f"segment_ids.{index}",
                        "known_segment",
                        f"no segment {segment_id} on the platform",
                    )
                )

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
