"""Reading the audit trail within the caller's scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import AuditEvent, Organization, OrganizationRedirect
from tenantry.pagination import aware_datetime, decode_cursor, encode_cursor
from tenantry.security import Actor, organization_scope


@dataclass(frozen=True)
class AuditFilter:
    organization_id: uuid.UUID | None = None
    action: str | None = None
    actor: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def page(
    session: AsyncSession, actor: Actor, filters: AuditFilter, *, cursor: str | None, limit: int
) -> tuple[Sequence[AuditEvent], str | None]:
    """Newest first. Platform staff see the whole platform's trail; others see events about the
    organizations in their scope."""
    query = select(AuditEvent).where(AuditEvent.platform_id == actor.platform_id)
    if not actor.is_platform:
        # And the events of organizations merged into one they see (their history is kept).
        visible = select(Organization.id).where(organization_scope(actor))
        merged = select(OrganizationRedirect.from_id).where(OrganizationRedirect.to_id.in_(visible))
        query = query.where(
            or_(AuditEvent.organization_id.in_(visible), AuditEvent.organization_id.in_(merged))
        )
    if filters.organization_id:
        merged_into = select(OrganizationRedirect.from_id).where(
            OrganizationRedirect.to_id == filters.organization_id
        )
        query = query.where(
            or_(
                AuditEvent.organization_id == filters.organization_id,
                AuditEvent.organization_id.in_(merged_into),
            )
        )
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor:  # the person, or the customer they acted for
        query = query.where(
            or_(
                AuditEvent.actor_label.contains(filters.actor, autoescape=True),
                AuditEvent.on_behalf_of_label.contains(filters.actor, autoescape=True),
            )
        )
    if filters.target_id:
        query = query.where(AuditEvent.target_id == filters.target_id)
    if filters.since:
        query = query.where(AuditEvent.occurred_at >= filters.since)
    if filters.until:
        query = query.where(AuditEvent.occurred_at < filters.until)
    if cursor:
        after_time, after_id = decode_cursor(cursor, aware_datetime)
        query = query.where(
            or_(
                AuditEvent.occurred_at < after_time,
                (AuditEvent.occurred_at == after_time) & (AuditEvent.id < after_id),
            )
        )
    query = query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit + 1)
    rows = (await session.execute(query)).scalars().all()
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(last.occurred_at, last.id)
