"""Partner Center accounts no organization holds (still listed by Partner Center), through the
caller's scope, with the reseller each belongs to and the matches proposed for it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import (
    MatchProposal,
    MatchStatus,
    Organization,
    OrganizationKind,
    PartnerCenterAccount,
    PartnerCenterAccountKind,
)
from tenantry.pagination import aware_datetime, decode_cursor, encode_cursor
from tenantry.security import Actor, unlinked_partner_center_accounts


async def count(session: AsyncSession, actor: Actor) -> int:
    query = (
        select(func.count())
        .select_from(PartnerCenterAccount)
        .where(unlinked_partner_center_accounts(actor))
    )
    return int(await session.scalar(query) or 0)


async def page(
    session: AsyncSession, actor: Actor, *, cursor: str | None, limit: int
) -> tuple[Sequence[PartnerCenterAccount], str | None]:
    """Newest first (by when the sync first saw them)."""
    query = select(PartnerCenterAccount).where(unlinked_partner_center_accounts(actor))
    if cursor:
        at, account_id = decode_cursor(cursor, aware_datetime)
        query = query.where(
            or_(
                PartnerCenterAccount.first_seen_at < at,
                and_(
                    PartnerCenterAccount.first_seen_at == at,
                    PartnerCenterAccount.id < account_id,
                ),
            )
        )
    query = query.order_by(
        PartnerCenterAccount.first_seen_at.desc(), PartnerCenterAccount.id.desc()
    ).limit(limit + 1)
    rows = (await session.execute(query)).scalars().all()
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(last.first_seen_at, last.id)


async def first_seen_after(
    session: AsyncSession, platform_id: uuid.UUID, after: datetime | None
) -> Sequence[PartnerCenterAccount]:
    """The platform's unlinked accounts first seen after ``after`` (all of them for None),
    oldest first: what the daily email has not announced yet."""
    query = select(PartnerCenterAccount).where(
        PartnerCenterAccount.platform_id == platform_id,
        PartnerCenterAccount.organization_id.is_(None),
        PartnerCenterAccount.gone_at.is_(None),
    )
    if after is not None:
        query = query.where(PartnerCenterAccount.first_seen_at > after)
    query = query.order_by(PartnerCenterAccount.first_seen_at, PartnerCenterAccount.id)
    return (await session.execute(query)).scalars().all()


@dataclass(frozen=True)
class Reseller:
    name: str
    organization_id: uuid.UUID | None  # None: a reseller in Partner Center no organization holds


async def resellers(
    session: AsyncSession, platform_id: uuid.UUID, accounts: Sequence[PartnerCenterAccount]
) -> dict[uuid.UUID, Reseller]:
    """By partner tenant: the reseller organization holding it, else the reseller's name as
    Partner Center lists it."""
    tenants = {a.reseller_tenant_id for a in accounts if a.reseller_tenant_id}
    if not tenants:
        return {}
    found: dict[uuid.UUID, Reseller] = {}
    listed = await session.execute(
        select(PartnerCenterAccount.tenant_id, PartnerCenterAccount.company_name).where(
            PartnerCenterAccount.platform_id == platform_id,
            PartnerCenterAccount.kind == PartnerCenterAccountKind.RESELLER,
            PartnerCenterAccount.tenant_id.in_(tenants),
        )
    )
    for tenant_id, name in listed:
        found[tenant_id] = Reseller(name, None)
    held = await session.execute(
        select(Organization.tenant_id, Organization.display_name, Organization.id).where(
            Organization.platform_id == platform_id,
            Organization.kind == OrganizationKind.RESELLER,
            Organization.tenant_id.in_(tenants),
        )
    )
    for reseller_tenant, name, organization_id in held:
        if reseller_tenant is not None:
            found[reseller_tenant] = Reseller(name, organization_id)
    return found


async def open_proposals(
    session: AsyncSession, accounts: Sequence[PartnerCenterAccount]
) -> dict[uuid.UUID, int]:
    """How many open match proposals name each account."""
    ids = [a.id for a in accounts]
    if not ids:
        return {}
    rows = await session.execute(
        select(MatchProposal.account_id, func.count())
        .where(MatchProposal.account_id.in_(ids), MatchProposal.status == MatchStatus.OPEN)
        .group_by(MatchProposal.account_id)
    )
    return {account_id: n for account_id, n in rows if account_id is not None}
