"""GDAP on pages: the section of a customer organization's page (loaded into it by htmx, and
a page of its own without scripts), the request form, Refresh, and the list of relationships
about to expire for sellers' staff.

Writes call the same service as the API inside a savepoint: a refusal leaves nothing behind and
the form comes back with what was typed and the reason beside the field.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.deps import DbSession
from tenantry.errors import TenantryError
from tenantry.models import OrganizationKind
from tenantry.organizations import repository as organizations
from tenantry.security import Actor, Permission, organization_names, require
from tenantry.tenants.gdap import service
from tenantry.tenants.gdap.graph import Graph
from tenantry.tenants.gdap.schemas import GdapRelationshipCreate
from tenantry.tenants.gdap.templates import MAX_DAYS, STATUS_LABELS, TEMPLATES
from tenantry.web.forms import FormState, payload, problem_of, text, validate, values_of
from tenantry.web.rendering import is_htmx, redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
FIELDS = ("template", "duration_days", "auto_extend")
EXPIRING_DAYS = 30
DONE = {
    "requested": "GDAP requested. The approval link was emailed to the customer's primary "
    "contact; you can also copy it below.",
    "refreshed": "The relationship's state was read from Microsoft.",
}
TEMPLATE_OPTIONS = [(t.key, t.name) for t in TEMPLATES.values()]


def _fresh_form() -> FormState:
    # A one-time key per form: posting it twice (double click, retry) asks Microsoft once.
    return FormState({"template": "support", "duration_days": str(MAX_DAYS),
                      "request_key": secrets.token_urlsafe(16)})  # fmt: skip


async def _section(
    request: Request, session: AsyncSession, actor: Actor, organization_id: uuid.UUID, *,
    form: FormState | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    organization = await organizations.get(session, actor, organization_id)
    context: dict[str, Any] = {
        "section": "organizations",
        "organization": organization,
        "relationships": await service.of_organization(session, actor, organization_id),
        "may_request": actor.can(Permission.GDAP_MANAGE)
        and organization.kind is OrganizationKind.CUSTOMER,
        "form": form or _fresh_form(),
        "templates": TEMPLATES,
        "status_labels": STATUS_LABELS,
        "template_options": TEMPLATE_OPTIONS,
        "done": DONE.get(request.query_params.get("done", "")),
    }
    partial = is_htmx(request) and form is None
    name = "tenants/gdap/_relationships.html" if partial else "tenants/gdap/organization.html"
    return render(request, name, context, status_code=status_code)


@router.get("/organizations/{organization_id}/gdap")
async def gdap_of_organization(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    require(actor, Permission.ORGANIZATION_READ)
    return await _section(request, session, actor, organization_id)


@router.post("/organizations/{organization_id}/gdap")
async def request_gdap(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor,
    graph: Graph,
) -> Response:  # fmt: skip
    form = await request.form()
    values = values_of(form, (*FIELDS, "request_key"))
    data = payload({k: v for k, v in values.items() if k != "request_key"})
    data["auto_extend"] = values["auto_extend"] == "true"
    try:
        parsed = validate(GdapRelationshipCreate, data)
        async with session.begin_nested():
            await service.request(
                session,
                actor,
                graph,
                organization_id,
                parsed,
                key=text(form, "request_key") or None,
            )
    except TenantryError as exc:
        errors, message = problem_of(exc)
        state = FormState(values, errors, message)
        return await _section(
            request, session, actor, organization_id, form=state, status_code=exc.status
        )
    return redirect(f"/organizations/{organization_id}/gdap?done=requested")


@router.post("/gdap/relationships/{gdap_relationship_id}/refresh")
async def refresh_gdap(
    gdap_relationship_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor,
    graph: Graph,
) -> Response:  # fmt: skip
    row = await service.get(session, actor, gdap_relationship_id)
    organization_id = row.organization_id
    try:
        async with session.begin_nested():
            await service.refresh(session, actor, graph, gdap_relationship_id)
    except TenantryError as exc:
        _, message = problem_of(exc)
        state = FormState(_fresh_form().values, {}, message)
        return await _section(
            request, session, actor, organization_id, form=state, status_code=exc.status
        )
    return redirect(f"/organizations/{organization_id}/gdap?done=refreshed")


@router.get("/gdap/expiring")
async def expiring_gdap(request: Request, session: DbSession, actor: PageActor) -> Response:
    """Relationships that end within 30 days and do not extend, for sellers' staff."""
    rows = await service.expiring(session, actor, within_days=EXPIRING_DAYS)
    names = await organization_names(
        session,
        actor,
        {r.organization_id for r in rows} | {r.requested_by_organization_id for r in rows},
    )
    context = {
        "section": "gdap", "relationships": rows, "names": names, "days": EXPIRING_DAYS,
        "status_labels": STATUS_LABELS,
    }  # fmt: skip
    return render(request, "tenants/gdap/expiring.html", context)
