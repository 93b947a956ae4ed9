"""Is a Partner Center account no organization holds the same company as an organization
without a tenant? Then it is proposed as a match instead of created again.

A minimal rule set (same domain or registration number, through
:func:`tenantry.organizations.duplicates.find`); the matching rules of docs/sync.md replace it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import MatchProposal, MatchStatus, PartnerCenterAccount
from tenantry.organizations import duplicates


def pair_key(organization_id: object, other: object) -> str:
    first, second = sorted((str(organization_id), str(other)))
    return f"{first}:{second}"


async def propose_for_account(session: AsyncSession, account: PartnerCenterAccount) -> int:
    """Propose the organizations without a tenant that look like ``account``; returns how many
    proposals exist for it now (0: nothing matches, the sync creates an organization)."""
    country = ((account.billing_profile or {}).get("defaultAddress") or {}).get("country") or ""
    domains = [d for d in (account.domains or []) if not d.endswith(".onmicrosoft.com")]
    candidates = [
        duplicates.Candidate(country=country, domain=domain, registration_number=number)
        for domain, number in [(d, None) for d in domains] + [(None, account.registration_number)]
        if domain or number
    ]
    proposed = 0
    for candidate in candidates:
        for match in await duplicates.find(session, account.platform_id, candidate):
            if match.existing.tenant_id is not None:
                continue
            key = pair_key(match.existing.id, account.id)
            existing = await session.scalar(
                select(MatchProposal).where(
                    MatchProposal.platform_id == account.platform_id,
                    MatchProposal.pair_key == key,
                )
            )
            if existing is None:
                session.add(
                    MatchProposal(
                        platform_id=account.platform_id,
                        organization_id=match.existing.id,
                        account_id=account.id,
                        pair_key=key,
                        evidence=[{"rule": match.field, "value": match.value}],
                        status=MatchStatus.OPEN,
                    )
                )
                await session.flush()
            proposed += 1
    return proposed
