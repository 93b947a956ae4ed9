"""Reading one customer organization's onboarding, for the API and the pages alike."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import NotFound
from tenantry.models import OrganizationKind
from tenantry.security import Actor, Permission, require
from tenantry.tenants.onboarding import facts, tracker
from tenantry.tenants.onboarding.model import Onboarding, Viewer


async def onboarding_of(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID
) -> Onboarding:
    """The tracker of a customer organization the actor may see (404 otherwise, also for a
    reseller or the platform, which have no onboarding steps)."""
    require(actor, Permission.ORGANIZATION_READ)
    found = await facts.read(session, actor, organization_id)
    if found.organization.kind is not OrganizationKind.CUSTOMER:
        raise NotFound(
            f"organization {organization_id} is a {found.organization.kind.value}: only customer "
            "organizations have onboarding steps"
        )
    return tracker.build(found, Viewer.of(actor, found))
