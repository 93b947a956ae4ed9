"""Reading one customer organization's onboarding, for the API and the pages alike."""

from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import OrganizationKind
from tenantry.security import Actor, Permission, require
from tenantry.tenants.onboarding import facts, tracker
from tenantry.tenants.onboarding.model import Onboarding, Viewer


async def onboarding_of(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID
) -> Onboarding:
    """The tracker of an organization the actor may see (404 otherwise). Only customers have
    onboarding steps: a reseller's or the platform's list is empty."""
    require(actor, Permission.ORGANIZATION_READ)
    found = await facts.read(session, actor, organization_id)
    onboarding = tracker.build(found, Viewer.of(actor, found))
    if found.organization.kind is not OrganizationKind.CUSTOMER:
        return replace(onboarding, steps=[])
    return onboarding
