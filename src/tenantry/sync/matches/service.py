"""Staff review match proposals: list those they may see, link a Partner Center account to the
proposed organization, dismiss a proposal, or look for duplicate organizations.

A proposal is in the caller's scope when they may see its organizations and, for a Partner
Center account, the account is theirs: platform staff see every account of the platform; a
reseller sees the accounts of its own customers (those Partner Center lists under its partner
tenant). Linking and dismissing need ``sync.run``; merging two organizations is the merge
wizard's (``organizations.merge``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.errors import Conflict, FieldError, NotFound
from tenantry.models import (
    LinkMethod,
    MatchProposal,
    MatchStatus,
    Organization,
    OrganizationKind,
    PartnerCenterAccount,
    PartnerCenterAccountKind,
    SyncChange,
    utcnow,
)
from tenantry.organizations import repository
from tenantry.pagination import keyset_page
from tenantry.security import Actor, Permission, organization_scope, require
from tenantry.sync import matching
from tenantry.tenants.linking import TenantFacts, link_tenant


class ProposalDecided(Conflict):
    code = "proposal_decided"
    title = "The proposal was decided already"


def proposal_scope(actor: Actor) -> ColumnElement[bool]:
    """The proposals ``actor`` may see (see the module)."""
    same_platform = MatchProposal.platform_id == actor.platform_id
    if actor.is_platform:
        return same_platform
    visible = select(Organization.id).where(organization_scope(actor))
    own_tenant = select(Organization.tenant_id).where(Organization.id == actor.organization_id)
    own_accounts = select(PartnerCenterAccount.id).where(
        PartnerCenterAccount.platform_id == actor.platform_id,
        PartnerCenterAccount.reseller_tenant_id.in_(own_tenant),
    )
    return and_(
        same_platform,
        MatchProposal.organization_id.in_(visible),
        or_(
            MatchProposal.other_organization_id.is_(None),
            MatchProposal.other_organization_id.in_(visible),
        ),
        or_(MatchProposal.account_id.is_(None), MatchProposal.account_id.in_(own_accounts)),
    )


async def page(
    session: AsyncSession, actor: Actor, *, status: MatchStatus | None, cursor: str | None,
    limit: int,
) -> tuple[Sequence[MatchProposal], str | None]:  # fmt: skip
    """Proposals in scope, oldest first (``status``: only those)."""
    require(actor, Permission.SYNC_READ)
    query = select(MatchProposal).where(proposal_scope(actor))
    if status is not None:
        query = query.where(MatchProposal.status == status)
    return await keyset_page(
        session, query, sort_column=MatchProposal.created_at, id_column=MatchProposal.id,
        cursor=cursor, limit=limit,
    )  # fmt: skip


async def related(
    session: AsyncSession, proposals: Sequence[MatchProposal]
) -> tuple[dict[uuid.UUID, Organization], dict[uuid.UUID, PartnerCenterAccount]]:
    """The organizations and accounts the proposals name (all in scope: see ``proposal_scope``)."""
    organization_ids = {p.organization_id for p in proposals} | {
        p.other_organization_id for p in proposals if p.other_organization_id
    }
    account_ids = {p.account_id for p in proposals if p.account_id}
    organizations = (
        {o.id: o for o in await session.scalars(
            select(Organization).where(Organization.id.in_(organization_ids)))}
        if organization_ids else {}
    )  # fmt: skip
    accounts = (
        {a.id: a for a in await session.scalars(
            select(PartnerCenterAccount).where(PartnerCenterAccount.id.in_(account_ids)))}
        if account_ids else {}
    )  # fmt: skip
    return organizations, accounts


async def get(session: AsyncSession, actor: Actor, proposal_id: uuid.UUID) -> MatchProposal:
    query = select(MatchProposal).where(MatchProposal.id == proposal_id, proposal_scope(actor))
    found = (await session.execute(query.with_for_update())).scalar_one_or_none()
    if found is None:
        raise NotFound(f"match {proposal_id} not found")
    return found


def _require_open(proposal: MatchProposal) -> None:
    if proposal.status is not MatchStatus.OPEN:
        message = f"the match is {proposal.status.value} already"
        raise ProposalDecided(
            message, errors=[FieldError("status", "not_open", message)], reason="not_open"
        )


def _decide(proposal: MatchProposal, actor: Actor, status: MatchStatus) -> None:
    proposal.status = status
    proposal.decided_by_id = actor.user_id
    proposal.decided_at = utcnow()


async def _reseller_of(session: AsyncSession, account: PartnerCenterAccount) -> uuid.UUID | None:
    if account.reseller_tenant_id is None:
        return None
    found: uuid.UUID | None = await session.scalar(
        select(Organization.id).where(
            Organization.platform_id == account.platform_id,
            Organization.kind == OrganizationKind.RESELLER,
            Organization.tenant_id == account.reseller_tenant_id,
        )
    )
    return found


def facts_of(account: PartnerCenterAccount, reseller_id: uuid.UUID | None) -> TenantFacts:
    return TenantFacts(
        tenant_id=account.tenant_id,
        company_name=account.company_name,
        initial_domain=account.initial_domain,
        default_domain=account.default_domain,
        verified_domains=sorted(matching.account_domains(account)),
        relationship="indirect" if account.reseller_tenant_id else "direct",
        reseller_id=reseller_id,
    )


async def link(session: AsyncSession, actor: Actor, proposal_id: uuid.UUID) -> MatchProposal:
    """The proposed organization takes the Partner Center account's tenant; the account's and
    the organization's other open proposals are closed (dismissed)."""
    require(actor, Permission.SYNC_RUN)
    proposal = await get(session, actor, proposal_id)
    _require_open(proposal)
    if proposal.account_id is None:
        message = "two organizations are merged, not linked: open the merge wizard"
        raise Conflict(message, errors=[FieldError("id", "not_an_account_match", message)])
    organization = await repository.get_for_update(session, actor, proposal.organization_id)
    account = await session.get(PartnerCenterAccount, proposal.account_id, with_for_update=True)
    assert account is not None
    reseller_id = await _reseller_of(session, account)
    await link_tenant(
        session, actor, organization, facts_of(account, reseller_id), LinkMethod.SYNCED
    )
    if account.kind is PartnerCenterAccountKind.RESELLER and not organization.mpn_id:
        organization.mpn_id = account.mpn_id
    account.organization_id = organization.id
    _decide(proposal, actor, MatchStatus.LINKED)
    others = await session.scalars(
        select(MatchProposal).where(
            MatchProposal.platform_id == proposal.platform_id,
            MatchProposal.status == MatchStatus.OPEN,
            MatchProposal.id != proposal.id,
            MatchProposal.account_id.is_not(None),
            or_(
                MatchProposal.account_id == account.id,
                MatchProposal.organization_id == organization.id,
            ),
        )
    )
    for other in others:
        _decide(other, actor, MatchStatus.DISMISSED)
    session.add(
        SyncChange(
            organization_id=organization.id, action="linked", occurred_at=utcnow(),
            changes={"tenant_id": [None, str(account.tenant_id)]},
        )
    )  # fmt: skip
    await session.flush()
    await record(
        session, actor, action="sync.match_linked", target_type="organization",
        target_id=organization.id, organization_id=organization.id,
        changes={"after": {"match_id": proposal.id, "tenant_id": account.tenant_id,
                           "company_name": account.company_name, "evidence": proposal.evidence}},
    )  # fmt: skip
    return proposal


async def dismiss(session: AsyncSession, actor: Actor, proposal_id: uuid.UUID) -> MatchProposal:
    """Staff say the two are different companies: the pair is not proposed again."""
    require(actor, Permission.SYNC_RUN)
    proposal = await get(session, actor, proposal_id)
    _require_open(proposal)
    _decide(proposal, actor, MatchStatus.DISMISSED)
    await session.flush()
    await record(
        session, actor, action="sync.match_dismissed", target_type="organization",
        target_id=proposal.organization_id, organization_id=proposal.organization_id,
        changes={"after": {"match_id": proposal.id, "account_id": proposal.account_id,
                           "other_organization_id": proposal.other_organization_id}},
    )  # fmt: skip
    return proposal


async def scan(session: AsyncSession, actor: Actor) -> list[matching.DuplicatePair]:
    """Look for duplicate organizations in the caller's scope (open proposals for each pair)."""
    require(actor, Permission.SYNC_RUN)
    return await matching.find_duplicate_organizations(session, actor)
