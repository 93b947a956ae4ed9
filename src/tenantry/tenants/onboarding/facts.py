"""One read of everything the onboarding tracker looks at, for one organization.

Three queries whatever the state: the organization (scoped, 404 outside the caller's scope), one
statement with outer joins for its seller, tenant, Service Details, most relevant GDAP
relationship, first order and Microsoft Customer Agreement status (with a pending acceptance),
and one for the audit events that say when and by whom.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from tenantry.models import (
    AgreementAcceptance,
    AuditEvent,
    GdapRelationship,
    GdapStatus,
    MicrosoftAgreementStatus,
    MicrosoftTenant,
    Order,
    Organization,
    ServiceDetails,
    User,
)
from tenantry.organizations import repository
from tenantry.security import Actor

# The audit actions that date a step, the first of each kind counts.
TRACKED_ACTIONS = (
    "organization.created",
    "organization.created_and_approved",
    "organization.registered",
    "organization.approve",
    "tenant.linked",
    "order.submitted",
)
# A relationship that gives access now is shown before a newer one still being asked for.
_GIVING_ACCESS = (GdapStatus.ACTIVE, GdapStatus.EXPIRING)


@dataclass
class OnboardingFacts:
    organization: Organization
    seller: Organization | None = None
    tenant: MicrosoftTenant | None = None
    details: ServiceDetails | None = None
    gdap: GdapRelationship | None = None
    gdap_requested_by: str | None = None
    first_order: Order | None = None
    agreement: MicrosoftAgreementStatus | None = None
    pending_acceptance: AgreementAcceptance | None = None
    # The first audit event of each tracked action.
    events: dict[str, AuditEvent] = field(default_factory=dict)


async def read(session: AsyncSession, actor: Actor, organization_id: uuid.UUID) -> OnboardingFacts:
    organization = await repository.get(session, actor, organization_id)
    seller = aliased(Organization)
    requester = aliased(User)
    gdap_id = (
        select(GdapRelationship.id)
        .where(GdapRelationship.organization_id == Organization.id)
        .order_by(
            case((GdapRelationship.status.in_(_GIVING_ACCESS), 0), else_=1),
            GdapRelationship.created_at.desc(),
        )
        .limit(1)
        .correlate(Organization)
        .scalar_subquery()
    )
    order_id = (
        select(Order.id)
        .where(Order.organization_id == Organization.id)
        .order_by(Order.created_at)
        .limit(1)
        .correlate(Organization)
        .scalar_subquery()
    )
    row = (
        await session.execute(
            select(
                seller,
                MicrosoftTenant,
                ServiceDetails,
                GdapRelationship,
                requester,
                Order,
                MicrosoftAgreementStatus,
                AgreementAcceptance,
            )
            .select_from(Organization)
            .outerjoin(seller, seller.id == Organization.parent_id)
            .outerjoin(MicrosoftTenant, MicrosoftTenant.organization_id == Organization.id)
            .outerjoin(ServiceDetails, ServiceDetails.organization_id == Organization.id)
            .outerjoin(GdapRelationship, GdapRelationship.id == gdap_id)
            .outerjoin(requester, requester.id == GdapRelationship.requested_by_id)
            .outerjoin(Order, Order.id == order_id)
            .outerjoin(
                MicrosoftAgreementStatus,
                MicrosoftAgreementStatus.organization_id == Organization.id,
            )
            .outerjoin(
                AgreementAcceptance,
                AgreementAcceptance.id == MicrosoftAgreementStatus.pending_acceptance_id,
            )
            .where(Organization.id == organization.id)
        )
    ).one()
    events = (
        await session.execute(
            select(AuditEvent)
            .where(
                AuditEvent.organization_id == organization.id,
                AuditEvent.action.in_(TRACKED_ACTIONS),
            )
            .order_by(AuditEvent.occurred_at)
        )
    ).scalars()
    first: dict[str, AuditEvent] = {}
    for event in events:
        first.setdefault(event.action, event)
    return OnboardingFacts(
        organization=organization,
        seller=row[0],
        tenant=row[1],
        details=row[2],
        gdap=row[3],
        gdap_requested_by=row[4].full_name if row[4] is not None else None,
        first_order=row[5],
        agreement=row[6],
        pending_acceptance=row[7],
        events=first,
    )
