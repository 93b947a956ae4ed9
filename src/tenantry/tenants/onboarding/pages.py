"""The onboarding tracker and the Microsoft tenant card on pages: sections of the customer
organization's page, loaded by htmx into it, and the same sections as pages of their own (without
JavaScript, the links in the organization's page lead there)."""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from tenantry.deps import DbSession
from tenantry.security import Permission
from tenantry.tenants.onboarding.service import onboarding_of
from tenantry.web.rendering import is_htmx, render
from tenantry.web.routing import PageActor, page_router

router = page_router()


@router.get("/organizations/{organization_id}/onboarding")
async def onboarding_page(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    onboarding = await onboarding_of(session, actor, organization_id)
    # In the organization's page the Microsoft tenant card shows the tenant.
    context = {
        "section": "organizations",
        "onboarding": onboarding,
        "with_tenant": not is_htmx(request),
    }
    name = "tenants/_onboarding.html" if is_htmx(request) else "tenants/onboarding.html"
    return render(request, name, context)


@router.get("/organizations/{organization_id}/microsoft-tenant")
async def microsoft_tenant_card(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    """The tenant's ID, domains and how, when and by whom it was linked; without one, the way
    to the Service Details for those who may choose them."""
    onboarding = await onboarding_of(session, actor, organization_id)
    step = next((s for s in onboarding.steps if s.key == "tenant"), None)
    may_act = actor.can(Permission.TENANTS_MANAGE)
    context = {
        "section": "organizations",
        "organization_id": onboarding.organization_id,
        "organization_name": onboarding.organization_name,
        "tenant": onboarding.tenant,
        "tenant_action": step.action if step is not None and may_act else None,
    }
    name = "tenants/_tenant_card.html" if is_htmx(request) else "tenants/microsoft_tenant.html"
    return render(request, name, context)
