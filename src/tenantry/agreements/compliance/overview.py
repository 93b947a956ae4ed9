"""Every customer in the viewer's scope with its agreement status, and what is at risk.

A customer is at risk when an agreement it needs is not accepted (the Microsoft Customer
Agreement neither accepted nor signed directly, or another agreement missing) while something
Microsoft will refuse is coming: an order placed and still waiting, or a subscription that
renews within ``RISK_DAYS``. The Microsoft status is read in bulk from the status rows (no row:
never checked, "unknown"); the other agreements are asked of ``gate.missing_agreements`` without
a Partner Center client, so every agreement the gate knows shows up here.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from tenantry.agreements import gate, microsoft
from tenantry.models import (
    OPEN_ORDER_STATUSES,
    AcceptanceRoute,
    MicrosoftAgreementState,
    MicrosoftAgreementStatus,
    MicrosoftSubscription,
    Order,
    Organization,
    OrganizationKind,
    utcnow,
)
from tenantry.security import Actor, organization_scope

RISK_DAYS = 30
MAX_ROWS = 5000
# Subscription states that no longer renew (Partner Center's words, lower case).
NOT_RENEWING = ("suspended", "deleted", "expired", "disabled")


@dataclass(frozen=True)
class ComplianceFilter:
    state: MicrosoftAgreementState | None = None
    reseller_id: uuid.UUID | None = None
    at_risk_only: bool = False
    q: str | None = None


@dataclass(frozen=True)
class Renewal:
    subscription_id: str
    name: str
    renews_at: datetime


@dataclass
class ComplianceRow:
    organization_id: uuid.UUID
    name: str
    reseller_id: uuid.UUID | None
    reseller_name: str | None
    tenant_id: uuid.UUID | None
    state: MicrosoftAgreementState
    date_agreed: datetime | None
    route: AcceptanceRoute | None
    checked_at: datetime | None
    check_error: str | None
    pending_acceptance: bool
    other_missing: list[gate.MissingAgreement] = field(default_factory=list)
    open_orders: int = 0
    renewals: list[Renewal] = field(default_factory=list)

    @property
    def agreement_missing(self) -> bool:
        mca_missing = self.state not in microsoft.SATISFIED and not self.pending_acceptance
        return mca_missing or bool(self.other_missing)

    @property
    def at_risk(self) -> bool:
        return self.agreement_missing and bool(self.open_orders or self.renewals)

    @property
    def link(self) -> str:
        return gate.organization_agreements_path(self.organization_id)


def may_view(actor: Actor) -> bool:
    """Platform and reseller staff (customers see their own status on their pages)."""
    return actor.organization_kind is not OrganizationKind.CUSTOMER


async def compliance_rows(
    session: AsyncSession,
    actor: Actor,
    filters: ComplianceFilter,
    *,
    now: datetime | None = None,
    limit: int = MAX_ROWS,
) -> tuple[list[ComplianceRow], bool]:
    """The customers in scope that pass ``filters``, by name; and whether more were left off."""
    now = now or utcnow()
    reseller = aliased(Organization)
    query = (
        select(Organization, MicrosoftAgreementStatus, reseller.display_name)
        .outerjoin(
            MicrosoftAgreementStatus,
            MicrosoftAgreementStatus.organization_id == Organization.id,
        )
        .outerjoin(
            reseller,
            (reseller.id == Organization.parent_id) & (reseller.kind == OrganizationKind.RESELLER),
        )
        .where(organization_scope(actor), Organization.kind == OrganizationKind.CUSTOMER)
    )
    if filters.state is MicrosoftAgreementState.UNKNOWN:
        query = query.where(
            or_(
                MicrosoftAgreementStatus.state.is_(None),
                MicrosoftAgreementStatus.state == MicrosoftAgreementState.UNKNOWN,
            )
        )
    elif filters.state is not None:
        query = query.where(MicrosoftAgreementStatus.state == filters.state)
    if filters.reseller_id is not None:
        query = query.where(Organization.parent_id == filters.reseller_id)
    if filters.q:
        needle = f"%{filters.q.casefold()}%"
        query = query.where(
            or_(
                func.lower(Organization.display_name).like(needle),
                func.lower(Organization.legal_name).like(needle),
            )
        )
    query = query.order_by(Organization.display_name, Organization.id)
    found = (await session.execute(query)).all()
    rows = [
        _row(organization, status, reseller_name) for organization, status, reseller_name in found
    ]
    await _add_risks(session, rows, now)
    organizations = {organization.id: organization for organization, _, _ in found}
    kept: list[ComplianceRow] = []
    for row in rows:
        if filters.at_risk_only and not (row.open_orders or row.renewals):
            continue  # nothing coming: no need to ask the gate
        row.other_missing = await _other_missing(session, organizations[row.organization_id], actor)
        if filters.at_risk_only and not row.at_risk:
            continue
        kept.append(row)
        if len(kept) > limit:
            return kept[:limit], True
    return kept, False


def _row(
    organization: Organization, status: MicrosoftAgreementStatus | None, reseller: str | None
) -> ComplianceRow:
    known = status is not None and status.tenant_id == organization.tenant_id
    return ComplianceRow(
        organization_id=organization.id,
        name=organization.display_name,
        reseller_id=organization.parent_id if reseller else None,
        reseller_name=reseller,
        tenant_id=organization.tenant_id,
        state=status.state if status and known else MicrosoftAgreementState.UNKNOWN,
        date_agreed=status.date_agreed if status and known else None,
        route=status.route if status and known else None,
        checked_at=status.checked_at if status else None,
        check_error=status.check_error if status else None,
        pending_acceptance=bool(status and status.pending_acceptance_id),
    )


async def _other_missing(
    session: AsyncSession, organization: Organization, actor: Actor
) -> list[gate.MissingAgreement]:
    """Agreements other than the Microsoft one that the gate would ask for now."""
    missing = await gate.missing_agreements(session, organization, actor)
    return [m for m in missing if m.code != gate.MCA_MISSING]


async def _add_risks(session: AsyncSession, rows: list[ComplianceRow], now: datetime) -> None:
    ids = [row.organization_id for row in rows]
    if not ids:
        return
    by_id = {row.organization_id: row for row in rows}
    for chunk in _chunks(ids):
        orders = await session.execute(
            select(Order.organization_id, func.count())
            .where(Order.organization_id.in_(chunk), Order.status.in_(OPEN_ORDER_STATUSES))
            .group_by(Order.organization_id)
        )
        for organization_id, count in orders:
            by_id[organization_id].open_orders = count
        renewals: dict[uuid.UUID, list[Renewal]] = defaultdict(list)
        subscriptions = await session.scalars(
            select(MicrosoftSubscription)
            .where(
                MicrosoftSubscription.organization_id.in_(chunk),
                MicrosoftSubscription.commitment_end_at.is_not(None),
                MicrosoftSubscription.commitment_end_at >= now,
                MicrosoftSubscription.commitment_end_at <= now + timedelta(days=RISK_DAYS),
                or_(
                    MicrosoftSubscription.auto_renew.is_(None),
                    MicrosoftSubscription.auto_renew.is_(True),
                ),
                or_(
                    MicrosoftSubscription.status.is_(None),
                    func.lower(MicrosoftSubscription.status).not_in(NOT_RENEWING),
                ),
            )
            .order_by(MicrosoftSubscription.commitment_end_at)
        )
        for sub in subscriptions:
            assert sub.commitment_end_at is not None
            name = sub.friendly_name or sub.offer_name or sub.subscription_id
            renewals[sub.organization_id].append(
                Renewal(sub.subscription_id, name, sub.commitment_end_at)
            )
        for organization_id, items in renewals.items():
            by_id[organization_id].renewals = items


def _chunks(ids: list[uuid.UUID], size: int = 500) -> list[list[uuid.UUID]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
