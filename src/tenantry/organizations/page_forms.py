"""The organization forms on the pages: which fields each form has, an organization's values
under the API's field names, and the choices its selects offer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pycountry
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import (
    CustomPropertyDefinition,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    PlatformConfig,
    PlatformModel,
    Segment,
)
from tenantry.organizations import platform, repository
from tenantry.organizations.filters import OrganizationFilter
from tenantry.organizations.schemas import INDUSTRIES, OrganizationRead
from tenantry.pagination import MAX_PAGE_SIZE
from tenantry.security import Actor
from tenantry.web.forms import FormValues
from tenantry.web.rendering import humanize

Options = list[tuple[str, str]]

ADDRESS_FIELDS = tuple(
    f"address.{k}" for k in ("line1", "line2", "city", "region", "postal_code", "country")
)
CONTACT_FIELDS = tuple(f"primary_contact.{k}" for k in ("name", "email", "phone"))
PROFILE_FIELDS = ("display_name", "domain", *ADDRESS_FIELDS, *CONTACT_FIELDS, "preferred_currency")
# Top-level fields an edit may empty; emptied nested fields are simply left out.
PROFILE_CLEARABLE = frozenset({"display_name", "domain", "preferred_currency"})
REGISTRATION_FIELDS = ("registration_number", "vat_id", "erp_id", "tenant_id")
CREATE_FIELDS = (
    "kind", "parent_id", "legal_name", "industry", *PROFILE_FIELDS, *REGISTRATION_FIELDS, "mpn_id",
)  # fmt: skip
SEGMENTS = "segment_ids"

COUNTRY_OPTIONS: Options = sorted(
    ((c.alpha_2, getattr(c, "common_name", None) or c.name) for c in pycountry.countries),
    key=lambda option: option[1],
)
# How the error summary names each field (the label with its fieldset, so it stands alone).
FIELD_NAMES = {
    "kind": "Kind", "parent_id": "Reseller", "legal_name": "Legal name", "industry": "Industry",
    "display_name": "Display name", "domain": "Domain",
    "address.line1": "Street address", "address.line2": "Street address, line 2",
    "address.city": "City", "address.region": "State or province",
    "address.postal_code": "Postal code", "address.country": "Country",
    "primary_contact.name": "Contact name", "primary_contact.email": "Contact email address",
    "primary_contact.phone": "Contact phone", "preferred_currency": "Preferred currency",
    "registration_number": "Company registration number", "vat_id": "VAT ID", "erp_id": "ERP ID",
    "mpn_id": "MPN (Partner) ID", "tenant_id": "Microsoft tenant ID", "segment_ids": "Segments",
    "reason": "Reason",
}  # fmt: skip
# The organization list's filters (the error summary is rendered apart from the form by htmx).
FILTER_NAMES = {
    "q": "Search", "status": "Status", "kind": "Kind", "segment": "Segment", "reseller": "Reseller",
}  # fmt: skip
# Fieldsets always sent as objects, so a missing part is reported on its own field.
GROUPS = ("address", "primary_contact")
STATUS_OPTIONS: Options = [(s.value, humanize(s)) for s in OrganizationStatus]
KIND_OPTIONS: Options = [(k.value, humanize(k)) for k in OrganizationKind]
INDUSTRY_OPTIONS: Options = [("", "Not specified"), *((i, humanize(i)) for i in INDUSTRIES)]
DONE = {
    "created": "The organization was created. It is pending approval.",
    "created_and_approved": "The organization was created and approved.",
    "approve": "The organization is approved.",
    "reject": "The organization is rejected.",
    "block": "The organization is blocked: its people cannot sign in.",
    "unblock": "The organization is unblocked.",
    "profile": "The profile is saved.",
    "basic": "The basic details are saved.",
    "on_behalf_ended": "You no longer act for this customer.",
    "sign_in_requirement": "The sign-in requirement is saved.",
    "merged": "The organizations are merged into this one.",
    "merged_away": "The organization you opened was merged into this one.",
}


def basic_fields(organization: Organization) -> tuple[str, ...]:
    """What the seller edits; only resellers have an MPN ID."""
    mpn = ("mpn_id",) if organization.kind is OrganizationKind.RESELLER else ()
    return ("legal_name", *REGISTRATION_FIELDS, *mpn)


def property_fields(definitions: Iterable[CustomPropertyDefinition]) -> tuple[str, ...]:
    return tuple(f"custom_properties.{d.key}" for d in definitions)


def _flat(values: Mapping[str, Any], prefix: str = "") -> FormValues:
    result: FormValues = {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            result |= _flat(value, f"{prefix}{key}.")
        else:
            result[f"{prefix}{key}"] = "" if value is None else str(value)
    return result


def stored_values(organization: Organization) -> FormValues:
    """The organization as the forms show it, read through the API's own read schema."""
    read = OrganizationRead.model_validate(organization).model_dump(mode="json")
    segments = read.pop("segments")
    values = _flat(read)
    values[SEGMENTS] = [s["id"] for s in segments]
    return values


@dataclass(frozen=True)
class Choices:
    """What the selects and checkboxes of the organization forms offer."""

    currencies: Options
    segments: Sequence[Segment]
    properties: Sequence[CustomPropertyDefinition]

    @property
    def field_names(self) -> dict[str, str]:
        """The label of every field of the organization forms, custom properties included: the
        fields and the error summary both read it, so a problem is named as its field is."""
        return FIELD_NAMES | {f"custom_properties.{d.key}": d.label for d in self.properties}

    @property
    def segment_options(self) -> Options:
        return [(str(s.id), s.name) for s in self.segments]


def currency_options(config: PlatformConfig) -> Options:
    """The platform's allowed currencies, or every ISO 4217 currency when it allows any."""
    currencies = config.allowed_currencies or sorted(c.alpha_3 for c in pycountry.currencies)
    return [(c, c) for c in currencies]


async def choices(session: AsyncSession, actor: Actor) -> Choices:
    config = await platform.get_config(session, actor)
    return Choices(
        currencies=currency_options(config),
        segments=await platform.list_segments(session, actor),
        properties=await platform.list_custom_properties(session, actor),
    )


async def resellers(session: AsyncSession, actor: Actor) -> Sequence[Organization]:
    """The resellers the actor sees (the first MAX_PAGE_SIZE by name), for selects."""
    if not actor.is_platform:
        return []
    rows, _ = await repository.page(
        session,
        actor,
        OrganizationFilter(kind=OrganizationKind.RESELLER),
        cursor=None,
        limit=MAX_PAGE_SIZE,
    )
    return rows


def may_create_resellers(actor: Actor, current: Organization | None) -> bool:
    return (
        actor.is_platform
        and current is not None
        and current.platform_model is not PlatformModel.DIRECT_CSP
    )
