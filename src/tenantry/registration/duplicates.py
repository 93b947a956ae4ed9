"""Is a registering organization one the seller's platform knows already?

Three signs, checked in this order: an organization of the platform has the same domain; one has
the same company registration number in the same country; or the domain is verified in a
Microsoft tenant the platform already serves (found the way Microsoft publishes it: the
domain's OpenID Connect discovery document names its tenant, and Partner Center answers for that
tenant only when it is one of the partner's customers). When Microsoft cannot be asked (network,
outage), the registration goes on and the seller's email says the check was incomplete.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from dataclasses import dataclass

import httpx
import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import Organization
from tenantry.partnercenter import PartnerCenterClient
from tenantry.partnercenter.config import PartnerCenterConfig
from tenantry.partnercenter.errors import NotFound, PartnerCenterError
from tenantry.settings import Settings

log = structlog.get_logger("tenantry.registration")
LOOKUP_TIMEOUT_SECONDS = 5.0
_ISSUER_TENANT = re.compile(r"/([0-9a-fA-F-]{36})/v2\.0/?$")


@dataclass(frozen=True)
class Match:
    """Why the registration may be a duplicate, and of what."""

    reason: str  # "domain" | "registration_number" | "tenant"
    description: str
    existing: Organization | None = None


@dataclass(frozen=True)
class Findings:
    match: Match | None
    incomplete: str | None = None  # why Microsoft could not be asked, if it could not


def _compact(number: str) -> str:
    return re.sub(r"[\s.\-/]", "", number).upper()


async def _local(
    session: AsyncSession,
    platform_id: uuid.UUID,
    *,
    domain: str | None,
    country: str,
    registration_number: str | None,
) -> Match | None:
    if domain:
        found = (
            await session.execute(
                select(Organization)
                .where(
                    Organization.platform_id == platform_id,
                    func.lower(Organization.domain) == domain.lower(),
                )
                .limit(1)
            )
        ).scalar_one_or_none()
        if found is not None:
            return Match("domain", f"the domain {domain} belongs to {found.display_name}", found)
    if registration_number:
        wanted = _compact(registration_number)
        candidates = await session.execute(
            select(Organization).where(
                Organization.platform_id == platform_id,
                Organization.address_country == country,
                Organization.registration_number.is_not(None),
            )
        )
        for candidate in candidates.scalars():
            if _compact(candidate.registration_number or "") == wanted:
                return Match(
                    "registration_number",
                    f"the registration number {registration_number} ({country}) belongs to "
                    f"{candidate.display_name}",
                    candidate,
                )
    return None


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
    config = dataclasses.replace(
        PartnerCenterConfig.from_settings(settings), max_attempts=2, timeout=LOOKUP_TIMEOUT_SECONDS
    )
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
        except NotFound:
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
    *,
    domain: str | None,
    country: str,
    registration_number: str | None,
) -> Findings:
    local = await _local(
        session, platform_id, domain=domain, country=country,
        registration_number=registration_number,
    )  # fmt: skip
    if local is not None or not domain:
        return Findings(local)
    try:
        return Findings(await _served_tenant(session, settings, http, platform_id, domain))
    except (httpx.HTTPError, PartnerCenterError, ValueError) as exc:
        log.warning("registration.tenant_check_failed", domain=domain, error=str(exc))
        return Findings(None, incomplete=f"Microsoft could not be asked about {domain}: {exc}")
