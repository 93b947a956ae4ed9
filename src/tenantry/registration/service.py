"""Registering an organization from a storefront: the registrant's own customer organization,
pending the seller's approval, with the registrant as its admin.

Nothing is created when the organization may exist already (``duplicates``): the person is
told, and the seller is alerted to sort it out. Posting the same form twice gives the one
organization (the form carries a key, as the checkout does).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from prometheus_client import Counter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import idempotency
from tenantry.agreements.platform import acceptance
from tenantry.audit.service import diff, record
from tenantry.db import serialize
from tenantry.errors import Conflict, FieldError
from tenantry.identity.service import add_membership
from tenantry.models import Organization, OrganizationStatus, Role, User
from tenantry.organizations import rules
from tenantry.organizations.duplicate_guard import candidate_of
from tenantry.organizations.schemas import OrganizationCreate
from tenantry.organizations.service import build, check_new, snapshot
from tenantry.registration import duplicates, notifications
from tenantry.settings import Settings

KEY_PREFIX = "registration:"
# More registrations than this waiting at once, by one person, is more likely abuse than business.
MAX_PENDING_REGISTRATIONS = 3
REGISTRATIONS = Counter(
    "tenantry_registrations_total",
    "Organizations registered from storefronts, by outcome",
    ["outcome"],  # registered | possible_duplicate
)


@dataclass(frozen=True)
class Registered:
    organization: Organization
    incomplete_check: str | None = None


@dataclass(frozen=True)
class PossibleDuplicate:
    match: duplicates.Match


def required_by_country(
    country: str, registration_number: object, vat_id: object
) -> list[FieldError]:
    """A registering company gives its registration number where the country's register has a
    known format, and its VAT ID in the EU (sellers need it to invoice without VAT)."""
    errors: list[FieldError] = []
    if country in rules.REGISTRATION_MODULES and not registration_number:
        errors.append(
            FieldError(
                "registration_number",
                "required_in_country",
                f"companies in {country} give their company registration number",
            )
        )
    if country in rules.EU_COUNTRIES and not vat_id:
        errors.append(
            FieldError("vat_id", "required_in_country", f"companies in {country} give their VAT ID")
        )
    return errors


class Registration(OrganizationCreate):
    """What a registrant sends: an organization, with the numbers its country requires."""

    @classmethod
    def rule_errors(cls, data: Mapping[str, Any]) -> list[FieldError]:
        country = rules.given_country(data)
        required = (
            required_by_country(country, data.get("registration_number"), data.get("vat_id"))
            if country
            else []
        )
        return super().rule_errors(data) + required


def _without_seller_fields(data: OrganizationCreate) -> OrganizationCreate:
    """What a registrant may not set themselves: the seller's ERP ID, segments, custom
    properties, tenant and approval stay the seller's to fill in."""
    return data.model_copy(
        update={
            "kind": "customer", "parent_id": None, "erp_id": None, "segment_ids": [],
            "custom_properties": {}, "mpn_id": None, "tenant_id": None, "approve": False,
            "confirm_duplicate": False,
        }
    )  # fmt: skip


async def register(
    session: AsyncSession,
    settings: Settings,
    http: httpx.AsyncClient,
    *,
    registrant: User,
    seller: Organization,
    data: OrganizationCreate,
    form_key: str,
    accepted_terms: bool = False,
) -> Registered | PossibleDuplicate:
    """``accepted_terms``: the registrant ticked the box accepting the platform's current terms
    of business (required when the platform publishes terms; kept as evidence)."""
    data = _without_seller_fields(data)
    earlier = await idempotency.earlier_resource(session, str(registrant.id), KEY_PREFIX + form_key)
    if earlier is not None and (organization := await session.get(Organization, earlier)):
        return Registered(organization)
    pending = await session.scalar(
        select(func.count())
        .select_from(Organization)
        .where(
            Organization.registered_by_id == registrant.id,
            Organization.status == OrganizationStatus.PENDING_APPROVAL,
        )
    )
    if (pending or 0) >= MAX_PENDING_REGISTRATIONS:
        raise Conflict(
            f"{pending} organizations you registered are waiting for approval; you can register "
            "another once your seller has decided on them"
        )
    terms, terms_errors = await acceptance.terms_at_registration(
        session, seller.platform_id, accepted_terms
    )
    # Every field is checked, and reported at once, before anything is looked up.
    await check_new(
        session,
        seller,
        data,
        extra_errors=required_by_country(
            data.address.country.upper(), data.registration_number, data.vat_id
        )
        + terms_errors,
        require_properties=False,
    )
    if data.domain:
        # Registrations of one domain at once: the later ones wait, then find the first.
        await serialize(session, "organization-domain", seller.platform_id, data.domain.casefold())
    findings = await duplicates.find(
        session, settings, http, seller.platform_id, candidate_of(data)
    )
    if findings.match is not None:
        await _alert(session, registrant, seller, data, findings.match)
        REGISTRATIONS.labels("possible_duplicate").inc()
        return PossibleDuplicate(findings.match)
    organization = await build(session, seller, data, require_properties=False)
    organization.registered_by_id = registrant.id
    await session.flush()
    label = f"{registrant.full_name} <{registrant.email}>"
    await record(
        session, None, action="organization.registered", target_type="organization",
        target_id=organization.id, organization_id=organization.id,
        platform_id=organization.platform_id, actor_label=label,
        changes=diff({}, snapshot(organization)),
    )  # fmt: skip
    await add_membership(session, None, registrant, organization, Role.CUSTOMER_ADMIN)
    if terms is not None:
        await acceptance.accept_as_admin(session, organization, registrant, terms)
    await notifications.organization_registered(
        session, organization, seller, registrant, incomplete_check=findings.incomplete
    )
    idempotency.remember_resource(
        session, str(registrant.id), KEY_PREFIX + form_key, organization.id
    )
    REGISTRATIONS.labels("registered").inc()
    return Registered(organization, findings.incomplete)


async def _alert(
    session: AsyncSession,
    registrant: User,
    seller: Organization,
    data: OrganizationCreate,
    match: duplicates.Match,
) -> None:
    await record(
        session, None, action="organization.possible_duplicate_registration",
        target_type="organization", target_id=match.existing.id if match.existing else None,
        organization_id=match.existing.id if match.existing else seller.id,
        platform_id=seller.platform_id, actor_label=f"{registrant.full_name} <{registrant.email}>",
        changes={"after": {"legal_name": data.legal_name, "domain": data.domain,
                           "registration_number": data.registration_number,
                           "reason": match.reason, "description": match.description}},
    )  # fmt: skip
    await notifications.possible_duplicate(session, seller, registrant, data, match)


def new_form_key() -> str:
    return str(uuid.uuid4())
