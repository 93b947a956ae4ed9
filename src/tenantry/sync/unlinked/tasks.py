"""The daily email to the platform's admins about Partner Center customers no organization
holds that appeared since the last one.

Each platform's ``SyncCursor.unlinked_announced_until`` is the first-seen time of the newest
account announced; the job lists what came after it, emails the platform admins (and the
platform's notification_cc addresses) once, and moves the cursor, in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.models import (
    Membership,
    Organization,
    OrganizationKind,
    PartnerCenterAccount,
    Role,
    User,
)
from tenantry.notifications import send_email
from tenantry.organizations import repository as organizations
from tenantry.sync import billto
from tenantry.sync.runs import cursor_for_update
from tenantry.sync.unlinked import repository

LISTED = 50  # accounts named in one email; the rest are counted


async def platform_admins(session: AsyncSession, platform: Organization) -> list[str]:
    """The platform admins' addresses and the platform's notification_cc ones, each once; the
    platform's contact when it has no active admin."""
    rows = await session.scalars(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organization_id == platform.id,
            Membership.role == Role.PLATFORM_ADMIN,
            User.is_active.is_(True),
        )
        .order_by(User.email)
    )
    config = await organizations.platform_config(session, platform.id)
    admins = list(rows) or [platform.contact_email]
    return list(dict.fromkeys([*admins, *config.notification_cc]))


async def _listed(
    session: AsyncSession, platform_id: uuid.UUID, accounts: Sequence[PartnerCenterAccount]
) -> list[dict[str, object]]:
    resellers = await repository.resellers(session, platform_id, accounts)
    proposals = await repository.open_proposals(session, accounts)
    listed: list[dict[str, object]] = []
    for account in accounts:
        reseller = resellers.get(account.reseller_tenant_id) if account.reseller_tenant_id else None
        listed.append(
            {
                "company_name": account.company_name,
                "domain": account.default_domain or account.initial_domain or "",
                "reseller": reseller.name if reseller else "",
                "first_seen": account.first_seen_at.strftime("%Y-%m-%d %H:%M UTC"),
                "missing": ", ".join(billto.missing_labels(billto.missing_of(account))),
                "proposals": proposals.get(account.id, 0),
            }
        )
    return listed


async def announce(session: AsyncSession, platform: Organization) -> int:
    """Email the platform's admins the unlinked accounts not announced yet; returns how many."""
    cursor = await cursor_for_update(session, platform.id)
    accounts = await repository.first_seen_after(
        session, platform.id, cursor.unlinked_announced_until
    )
    if not accounts:
        return 0
    until = max(a.first_seen_at for a in accounts)
    await send_email(
        session,
        to=await platform_admins(session, platform),
        template="unlinked_accounts",
        context={
            "count": len(accounts),
            "accounts": await _listed(session, platform.id, accounts[-LISTED:]),
            "more": max(len(accounts) - LISTED, 0),
        },
        idempotency_key=f"unlinked_accounts:{platform.id}:{until.isoformat()}",
    )
    cursor.unlinked_announced_until = until
    await session.flush()
    return len(accounts)


async def announce_all(session: AsyncSession) -> int:
    platforms = await session.scalars(
        select(Organization).where(Organization.kind == OrganizationKind.PLATFORM)
    )
    return sum([await announce(session, platform) for platform in platforms.all()])


@jobs.periodic("sync.unlinked_daily", jobs.crontab(minute="30", hour="7"))
async def daily_unlinked(session: AsyncSession) -> None:
    await announce_all(session)
