"""The onboarding tracker in the API: GET /api/v1/organizations/{id}/onboarding."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from tenantry.deps import CurrentActor, DbSession
from tenantry.problems import API_ERRORS
from tenantry.tenants.onboarding.schemas import OnboardingRead
from tenantry.tenants.onboarding.service import onboarding_of

router = APIRouter(prefix="/api/v1", tags=["onboarding"], responses=API_ERRORS)


@router.get(
    "/organizations/{organization_id}/onboarding",
    summary="Where a customer organization stands: its onboarding steps and its tenant",
)
async def get_onboarding(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> OnboardingRead:
    return OnboardingRead.of(await onboarding_of(session, actor, organization_id))
