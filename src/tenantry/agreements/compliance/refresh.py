"""The scheduled refresh of Microsoft Customer Agreement statuses.

Every minute a batch of customers with a tenant is asked of Partner Center again: first those
never checked (a tenant linked a minute ago, or linked again), then those whose status is
missing or unknown and was last checked longest ago, once ``agreements_recheck_hours`` have
passed. Accepted and directly signed customers are not asked again (an acceptance is not
withdrawn; a purchase refused with 13605 corrects it). The batch size bounds the calls one run
makes (each refresh is one or two calls); the client honours 429 with its ``Retry-After``, and
when Partner Center still cannot be reached the run records it on that customer
(``check_error``) and stops, leaving the rest for the next run.

Each customer is refreshed in a transaction of its own, so a slow Partner Center never holds
the database's write lock for the whole batch.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import structlog
from sqlalchemy import ColumnElement, Select, and_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements import microsoft
from tenantry.db import Database
from tenantry.models import (
    MicrosoftAgreementStatus,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    utcnow,
)
from tenantry.models.agreement import ASKED_AGAIN_SQL
from tenantry.partnercenter.client import PartnerCenterClient

log = structlog.get_logger("tenantry.agreements")
UNREACHABLE = "Partner Center could not be reached"


async def due(
    session: AsyncSession, *, now: datetime, recheck: timedelta, limit: int
) -> list[uuid.UUID]:
    """The customers to ask now, never-checked ones first, then the longest unchecked."""
    never = list(await session.scalars(never_checked_query(limit)))
    if len(never) >= limit:
        return never
    # A status of another tenant may come in both: it is kept once, among the never-checked.
    picked = set(never)
    stale = [
        id_ for id_ in await session.scalars(stale_query(now - recheck, limit)) if id_ not in picked
    ]
    return (never + stale)[:limit]


def _customers_with_a_tenant() -> ColumnElement[bool]:
    return and_(
        Organization.kind == OrganizationKind.CUSTOMER,
        Organization.tenant_id.is_not(None),
        Organization.status != OrganizationStatus.REJECTED,
    )


def never_checked_query(limit: int) -> Select[uuid.UUID]:
    """Customers with a tenant no status was checked for (none, never asked, or asked for another
    tenant). Why an anti-join on the status's key rather than an outer join: it reads each status
    at most once by its primary key whatever the planner's statistics say (an outer join filtered
    afterwards was once planned as a scan of all statuses for every customer, while a sync filled
    both tables faster than they were analysed)."""
    status = MicrosoftAgreementStatus
    checked = (
        select(status.organization_id)
        .where(
            status.organization_id == Organization.id,
            status.checked_at.is_not(None),
            status.tenant_id == Organization.tenant_id,
        )
        .exists()
    )
    return (
        select(Organization.id)
        .where(_customers_with_a_tenant(), ~checked)
        .order_by(Organization.id)
        .limit(limit)
    )


def stale_query(checked_before: datetime, limit: int) -> Select[uuid.UUID]:
    """Statuses still missing or unknown, last checked before ``checked_before``, oldest first:
    read in order from an index of only those statuses, each customer looked up by its key.

    The states are written into the SQL, not bound: a planner uses a partial index only where it
    sees that the query asks for what the index holds. A status of another tenant is not told
    apart here (it is never checked for the current one, so it is due anyway): comparing the two
    tenant ids makes PostgreSQL expect one row and join every status instead."""
    status = MicrosoftAgreementStatus
    customer = (
        select(Organization.id)
        .where(Organization.id == status.organization_id, _customers_with_a_tenant())
        .exists()
    )
    return (
        select(status.organization_id)
        .where(
            text(f"{status.__tablename__}.{ASKED_AGAIN_SQL}"), status.checked_at <= checked_before
        )
        .where(customer)
        .order_by(status.checked_at, status.organization_id)
        .limit(limit)
    )


async def refresh_due(
    database: Database,
    client: PartnerCenterClient,
    *,
    now: datetime | None = None,
    recheck: timedelta,
    limit: int,
) -> dict[str, int]:
    """One run; returns how many customers ended in each state (``unreachable`` apart)."""
    async with database.transaction(write=False) as session:
        ids = await due(session, now=now or utcnow(), recheck=recheck, limit=limit)
    counts: dict[str, int] = {}
    for organization_id in ids:
        async with database.transaction() as session:
            organization = await session.get(Organization, organization_id)
            if organization is None or organization.tenant_id is None:
                continue  # gone or unlinked since it was picked
            status = await microsoft.refresh(session, client, organization)
            outcome = "unreachable" if status.check_error == UNREACHABLE else status.state.value
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome == "unreachable":
            log.warning("agreement refresh stopped: Partner Center unreachable", left=len(ids))
            break
    return counts
