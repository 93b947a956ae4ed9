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
from sqlalchemy import and_, case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements import microsoft
from tenantry.db import Database
from tenantry.models import (
    MicrosoftAgreementState,
    MicrosoftAgreementStatus,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    utcnow,
)
from tenantry.partnercenter.client import PartnerCenterClient

log = structlog.get_logger("tenantry.agreements")
UNREACHABLE = "Partner Center could not be reached"
ASKED_AGAIN = (MicrosoftAgreementState.UNKNOWN, MicrosoftAgreementState.MISSING)


async def due(
    session: AsyncSession, *, now: datetime, recheck: timedelta, limit: int
) -> list[uuid.UUID]:
    """The customers to ask now, never-checked ones first, then the longest unchecked."""
    status = MicrosoftAgreementStatus
    never = or_(
        status.organization_id.is_(None),
        status.checked_at.is_(None),
        status.tenant_id.is_(None),
        status.tenant_id != Organization.tenant_id,
    )
    stale = and_(status.state.in_(ASKED_AGAIN), status.checked_at <= now - recheck)
    rows = await session.scalars(
        select(Organization.id)
        .outerjoin(status, status.organization_id == Organization.id)
        .where(
            Organization.kind == OrganizationKind.CUSTOMER,
            Organization.tenant_id.is_not(None),
            Organization.status != OrganizationStatus.REJECTED,
            or_(never, stale),
        )
        .order_by(case((never, 0), else_=1), status.checked_at, Organization.id)
        .limit(limit)
    )
    return list(rows)


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
