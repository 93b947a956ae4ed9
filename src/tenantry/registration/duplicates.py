"""Is a registering organization one the seller's platform knows already?

The signs: an organization of the platform has the same domain, company registration number or
VAT ID (``organizations.duplicates``, shared with staff creating organizations); or the domain is
verified in a Microsoft tenant the platform already serves (found the way Microsoft publishes it: the
domain's OpenID Connect discovery document names its tenant, and Partner Center answers for that
tenant only when it is one of the partner's customers). When Microsoft cannot be asked (network,
outage), the registration goes on and the seller's email says the check was incomplete.

What is found goes to the seller only (its alert email and the audit trail): the registrant, a
stranger, is told no more than that the organization may be registered already.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import Organization
from tenantry.organizations import duplicates as organizations_duplicates
from tenantry.organizations.duplicates import Candidate
from tenantry.organizations.tenant_check import lookup_config
from tenantry.partnercenter import PartnerCenterClient
from tenantry.partnercenter.errors import NotFound, PartnerCenterError, RelationshipMissing
from tenantry.settings import Settings

log = structlog.get_logger("tenantry.registration")
_ISSUER_TENANT = re.compile(r"/([0-9a-fA-F-]{36})/v2\.0/?$")


@dataclass(frozen=True)
class Match:
    """Why the registration may be a duplicate, and of what."""

    reason: str  # "domain" | "registration_number" | "vat_id" | "tenant"
    description: str
    existing: Organization | None = None


@dataclass(frozen=True)
class Findings:
    match: Match | None
    incomplete: str | None = None  # why Microsoft could not be asked, if it could not


async def _local(
    session: AsyncSession, platform_id: uuid.UUID, candidate: Candidate
) -> Match | None:
    matches = await organizations_duplicates.find(session, platform_id, candidate)
    if not matches:
        return None
    # The seller's alert names every sign found; it links the first organization matched.
    described = "; ".join(
        f"the {m.sign} {m.value} belongs to {m.existing.display_name}" for m in matches
    )
    return Match(matches[0].field, described, matches[0].existing)


async def tenant_of_domain(
    http: httpx.AsyncClient, login_url: str, domain: str
) -> uuid.UUID | None:
    """The Microsoft tenant in which ``domain`` is verified, or None when it is in none."""
    response = await http.get(
        f"{login_url.rstrip('/')}/{domain}/v2.0/.well-known/openid-configuration"
    )
    if response.status_code in (400, 404):
        return None
    response.raise_for_status()
    match = _ISSUER_TENANT.search(str(response.json().get("issuer", "")))
    return uuid.UUID(match.group(1)) if match else None


async def _served_tenant(
    session: AsyncSession,
    settings: Settings,
    http: httpx.AsyncClient,
    platform_id: uuid.UUID,
    domain: str,
) -> Match | None:
    config = lookup_config(settings)
    tenant_id = await tenant_of_domain(http, config.login_url, domain)
    if tenant_id is None:
        return None
    known = (
        await session.execute(
            select(Organization)
            .where(Organization.platform_id == platform_id, Organization.tenant_id == tenant_id)
            .limit(1)
        )
    ).scalar_one_or_none()
    if known is not None:
        return Match(
            "tenant",
            f"the domain {domain} is in the Microsoft tenant of {known.display_name}",
            known,
        )
    async with PartnerCenterClient(config, http=http) as client:
        try:
            customer = await client.get_customer(str(tenant_id))
        except (NotFound, RelationshipMissing):  # not one of the platform's customers
            return None
    name = customer.company_profile.company_name if customer.company_profile else None
    return Match(
        "tenant",
        f"the domain {domain} is in the Microsoft tenant {tenant_id}, already a customer in "
        f"Partner Center{f' ({name})' if name else ''}",
    )


async def find(
    session: AsyncSession,
    settings: Settings,
    http: httpx.AsyncClient,
    platform_id: uuid.UUID,
    candidate: Candidate,
) -> Findings:
    """Whether the registering ``candidate`` may be an organization the platform knows."""
    local = await _local(session, platform_id, candidate)
    domain = candidate.domain
    if local is not None or not domain:
        return Findings(local)
    try:
        return Findings(await _served_tenant(session, settings, http, platform_id, domain))
    except (httpx.HTTPError, PartnerCenterError, ValueError) as exc:
        log.warning("registration.tenant_check_failed", domain=domain, error=str(exc))
        return Findings(None, incomplete=f"Microsoft could not be asked about {domain}: {exc}")
