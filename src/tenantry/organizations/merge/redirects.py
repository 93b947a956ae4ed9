"""Where a merged-away organization's id leads now."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import Organization, OrganizationRedirect
from tenantry.security import Actor, organization_scope


async def kept_for(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID
) -> uuid.UUID | None:
    """The organization ``organization_id`` was merged into, if the caller may see it (a
    later merge of the kept one moved the redirect along, so one step is enough)."""
    query = (
        select(OrganizationRedirect.to_id)
        .join(Organization, Organization.id == OrganizationRedirect.to_id)
        .where(OrganizationRedirect.from_id == organization_id, organization_scope(actor))
    )
    found: uuid.UUID | None = await session.scalar(query)
    return found
