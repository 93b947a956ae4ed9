"""The one writer of acceptance evidence (``agreement_acceptances``).

Evidence is added, never changed: the model refuses updates, and a correction is a new record
naming the one it corrects. Everything that accepts an agreement, whatever the route, comes here.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements.rules import AcceptingPerson
from tenantry.models import (
    AcceptanceRoute,
    AgreementAcceptance,
    AgreementKind,
    Organization,
    utcnow,
)
from tenantry.security import Actor


async def record_acceptance(
    session: AsyncSession,
    organization: Organization,
    *,
    kind: AgreementKind,
    route: AcceptanceRoute,
    date_agreed: datetime,
    actor: Actor | None,
    person: AcceptingPerson | None = None,
    tenant_id: uuid.UUID | None = None,
    template_id: str | None = None,
    agreement_version_id: uuid.UUID | None = None,
    request: dict[str, Any] | None = None,
    response: dict[str, Any] | None = None,
    partner_center_request_id: str | None = None,
    corrects: AgreementAcceptance | None = None,
    attestation_request_id: uuid.UUID | None = None,
) -> AgreementAcceptance:
    """Add one acceptance record (flushed, so it has its id)."""
    if corrects is not None and corrects.organization_id != organization.id:
        raise ValueError("a correction belongs to the organization of the record it corrects")
    row = AgreementAcceptance(
        platform_id=organization.platform_id,
        organization_id=organization.id,
        kind=kind,
        route=route,
        tenant_id=tenant_id,
        template_id=template_id,
        agreement_version_id=agreement_version_id,
        first_name=person.first_name if person else None,
        last_name=person.last_name if person else None,
        email=person.email if person else None,
        phone=person.phone if person else None,
        date_agreed=date_agreed,
        recorded_by_id=actor.user_id if actor else None,
        recorded_by_label=actor.label if actor else "system",
        on_behalf_of_label=actor.on_behalf_of_label if actor else None,
        recorded_at=utcnow(),
        request=request,
        response=response,
        partner_center_request_id=partner_center_request_id,
        corrects_id=corrects.id if corrects else None,
        attestation_request_id=attestation_request_id,
    )
    session.add(row)
    await session.flush()
    return row


async def acceptances_of(
    session: AsyncSession, organization_id: uuid.UUID, kind: AgreementKind | None = None
) -> list[AgreementAcceptance]:
    """An organization's acceptance records, newest first (the caller has scoped the id)."""
    query = select(AgreementAcceptance).where(
        AgreementAcceptance.organization_id == organization_id
    )
    if kind is not None:
        query = query.where(AgreementAcceptance.kind == kind)
    rows = await session.scalars(
        query.order_by(AgreementAcceptance.recorded_at.desc(), AgreementAcceptance.id)
    )
    return list(rows)
