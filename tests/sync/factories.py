"""Partner Center accounts and match proposals for the sync tests."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import (
    MatchProposal,
    MatchStatus,
    PartnerCenterAccount,
    PartnerCenterAccountKind,
    utcnow,
)
from tenantry.organizations.pairs import pair_key


async def make_account(
    session: AsyncSession, platform_id: uuid.UUID, *, company_name: str = "Contoso A/S",
    **overrides: Any,
) -> PartnerCenterAccount:  # fmt: skip
    now = utcnow()
    account = PartnerCenterAccount(
        platform_id=platform_id,
        kind=overrides.pop("kind", PartnerCenterAccountKind.CUSTOMER),
        tenant_id=overrides.pop("tenant_id", uuid.uuid4()),
        company_name=company_name,
        domains=overrides.pop("domains", []),
        billing_missing=[],
        first_seen_at=now,
        last_seen_at=now,
        **overrides,
    )
    session.add(account)
    await session.flush()
    return account


async def make_proposal(
    session: AsyncSession, platform_id: uuid.UUID, organization_id: uuid.UUID, *,
    other_id: uuid.UUID | None = None, account_id: uuid.UUID | None = None,
) -> MatchProposal:  # fmt: skip
    second = other_id or account_id
    assert second is not None
    proposal = MatchProposal(
        platform_id=platform_id, organization_id=organization_id, other_organization_id=other_id,
        account_id=account_id, pair_key=pair_key(organization_id, second),
        evidence=[{"rule": "name", "label": "same company name", "left": "a", "right": "a"}],
        status=MatchStatus.OPEN,
    )  # fmt: skip
    session.add(proposal)
    await session.flush()
    return proposal
