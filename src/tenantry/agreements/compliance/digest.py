"""The daily digest of customers at risk: to the platform's contact about every customer, and
to each reseller's contact about its own, only when something in their scope is at risk, and
once a day (the email's key names the organization and the day)."""

from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements.compliance.overview import (
    RISK_DAYS,
    ComplianceFilter,
    ComplianceRow,
    compliance_rows,
)
from tenantry.agreements.compliance.views import STATE_LABELS
from tenantry.models import Organization, OrganizationKind, OrganizationStatus, Role, utcnow
from tenantry.notifications import send_email
from tenantry.security import Actor

log = structlog.get_logger(__name__)

TEMPLATE = "agreements_at_risk"
LISTED = 50  # customers named in one email; the rest are counted


def _system(organization: Organization) -> Actor:
    """The digest reads as the organization's staff would see it."""
    role = (
        Role.PLATFORM_STAFF
        if organization.kind is OrganizationKind.PLATFORM
        else (Role.RESELLER_STAFF)
    )
    return Actor(
        platform_id=organization.platform_id, organization_id=organization.id,
        organization_kind=organization.kind, role=role, label="system",
    )  # fmt: skip


def _listed(row: ComplianceRow) -> dict[str, object]:
    coming = [f"{row.open_orders} order(s) waiting"] if row.open_orders else []
    coming += [f"{r.name} renews {r.renews_at.date().isoformat()}" for r in row.renewals]
    missing = (
        []
        if row.state.value in ("accepted", "direct_signed") or row.pending_acceptance
        else [f"Microsoft Customer Agreement: {STATE_LABELS[row.state.value].lower()}"]
    )
    missing += [m.message for m in row.other_missing]
    return {
        "name": row.name,
        "reseller": row.reseller_name or "",
        "missing": "; ".join(missing),
        "coming": "; ".join(coming),
        "link": row.link,
    }


async def send_digest(session: AsyncSession, organization: Organization, now: datetime) -> bool:
    """Queue the digest for one platform or reseller; False when nothing is at risk."""
    rows, _ = await compliance_rows(
        session, _system(organization), ComplianceFilter(at_risk_only=True), now=now
    )
    if not rows:
        return False
    if not organization.contact_email:
        # A reseller the sync brought in from Partner Center has no address until staff add
        # one: its digest waits for it, the other sellers' go out.
        log.warning(
            "agreements.digest_without_address",
            organization_id=str(organization.id), at_risk=len(rows),
        )  # fmt: skip
        return False
    await send_email(
        session,
        to=organization.contact_email,
        template=TEMPLATE,
        context={
            "organization": organization.display_name,
            "count": len(rows),
            "days": RISK_DAYS,
            "customers": [_listed(row) for row in rows[:LISTED]],
            "more": max(len(rows) - LISTED, 0),
        },
        idempotency_key=f"{TEMPLATE}:{organization.id}:{now.date().isoformat()}",
    )
    return True


async def send_digests(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Every platform's and active reseller's digest; returns how many were queued."""
    now = now or utcnow()
    sellers = await session.scalars(
        select(Organization)
        .where(
            Organization.kind.in_((OrganizationKind.PLATFORM, OrganizationKind.RESELLER)),
            Organization.status == OrganizationStatus.ACTIVE,
        )
        .order_by(Organization.kind, Organization.display_name)
    )
    return sum([await send_digest(session, seller, now) for seller in sellers.all()])
