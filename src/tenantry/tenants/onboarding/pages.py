"""The onboarding tracker on pages: a section of the customer organization's page, loaded by
htmx into it, and the same section as a page of its own (without JavaScript, the link in the
organization's page leads there)."""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from tenantry.deps import DbSession
from tenantry.tenants.onboarding.service import onboarding_of
from tenantry.web.rendering import is_htmx, render
from tenantry.web.routing import PageActor, page_router

router = page_router()


@router.get("/organizations/{organization_id}/onboarding")
async def onboarding_page(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    onboarding = await onboarding_of(session, actor, organization_id)
    context = {"section": "organizations", "onboarding": onboarding}
    name = "tenants/_onboarding.html" if is_htmx(request) else "tenants/onboarding.html"
    return render(request, name, context)
