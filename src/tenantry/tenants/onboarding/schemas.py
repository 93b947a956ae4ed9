"""The onboarding tracker in the API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from tenantry.tenants.onboarding.model import Onboarding, StepState


class ActionRead(BaseModel):
    label: str
    href: str = Field(description="A page of Tenantry, relative to its base URL")


class StepRead(BaseModel):
    key: str = Field(
        description="created, approved, tenant, relationship, reseller_mpn, gdap, agreement, "
        "first_order"
    )
    title: str
    state: StepState
    state_words: str
    detail: str
    at: datetime | None = Field(description="When the step was done or last moved")
    by: str | None = Field(
        description="Who did it, as the audit trail names them (only for those who may read it)"
    )
    next_action: ActionRead | None


class TenantRead(BaseModel):
    tenant_id: uuid.UUID
    company_name: str | None
    initial_domain: str | None
    default_domain: str | None
    verified_domains: list[str]
    relationship: str | None = Field(description='"direct" or "indirect"; null when not known')
    link_method: str | None = Field(
        description="verified, webhook, created, entered, synced; null when staff typed the "
        "tenant ID on the organization and it was not checked"
    )
    how_linked: str
    linked_at: datetime | None
    linked_by: str | None


class OnboardingRead(BaseModel):
    organization_id: uuid.UUID
    next_step: str | None = Field(description="The key of the first step someone has to act on")
    steps: list[StepRead] = Field(
        description="In order; empty for a reseller or the platform (only customers onboard)"
    )
    tenant: TenantRead | None

    @classmethod
    def of(cls, onboarding: Onboarding) -> OnboardingRead:
        following = onboarding.next_step
        return cls(
            organization_id=onboarding.organization_id,
            next_step=following.key if following else None,
            steps=[
                StepRead(
                    key=s.key,
                    title=s.title,
                    state=s.state,
                    state_words=s.state_words,
                    detail=s.detail,
                    at=s.at,
                    by=s.by,
                    next_action=ActionRead(label=s.action.label, href=s.action.href)
                    if s.action
                    else None,
                )
                for s in onboarding.steps
            ],
            tenant=TenantRead.model_validate(onboarding.tenant, from_attributes=True)
            if onboarding.tenant
            else None,
        )
