"""Partner Center accounts, match proposals and sync runs for the sync tests."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.db import Database
from tenantry.models import (
    MatchProposal,
    MatchStatus,
    Organization,
    PartnerCenterAccount,
    PartnerCenterAccountKind,
    SyncRun,
    SyncRunStatus,
    SyncScope,
    SyncTrigger,
    utcnow,
)
from tenantry.organizations.pairs import pair_key
from tests.factories import World, make_organization


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


async def proposed_twin(database: Database, world: World) -> uuid.UUID:
    """An open proposal of A's customer and a look-alike customer of reseller A."""
    async with database.transaction() as session:
        platform = await session.get(Organization, world.platform.id)
        reseller = await session.get(Organization, world.reseller_a.id)
        assert platform is not None and reseller is not None
        twin = await make_organization(
            session, platform, parent=reseller, legal_name="Alpha Customer A/S"
        )
        proposal = await make_proposal(
            session, world.platform.id, world.customer_a.id, other_id=twin.id
        )
        return proposal.id


async def finished_reseller_run(database: Database, world: World) -> uuid.UUID:
    """A finished sync of reseller A (its scope is A's, so A's staff read it and B's do not)."""
    async with database.transaction() as session:
        run = SyncRun(
            platform_id=world.platform.id, scope=SyncScope.RESELLER,
            scope_organization_id=world.reseller_a.id, trigger=SyncTrigger.MANUAL,
            status=SyncRunStatus.SUCCEEDED, checkpoint={}, started_at=utcnow(),
            finished_at=utcnow(),
        )  # fmt: skip
        session.add(run)
        await session.flush()
        return run.id
