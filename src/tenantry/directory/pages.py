"""A customer's users and licenses on pages: the section of the organization's page (loaded by
htmx) and a page of its own with the users (filtered, paged), their licenses, the licenses the
tenant holds (ours and other providers'), its domains, imports and trial conversions; "Import
now"; assigning and removing licenses bought through the platform.

Writes call the same services as the API inside a savepoint: a refusal leaves nothing behind and
the page comes back with the reason, naming the user.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.deps import DbSession
from tenantry.directory import assignments, queries, service
from tenantry.directory.api import partner_center
from tenantry.errors import TenantryError, ValidationFailed
from tenantry.models import DirectoryLicense, OrganizationKind
from tenantry.security import Actor, Permission
from tenantry.web.forms import sentence, text
from tenantry.web.rendering import is_htmx, redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
PAGE_SIZE = 50
FILTERS = ("search", "license", "holding")
HOLDING_OPTIONS = [("", "Any"), ("none", "No license"), ("ours", "A license bought here"),
                   ("other_provider", "A license from another provider")]  # fmt: skip
SOURCE_LABELS = {"ours": "Bought here", "other_provider": "Another provider",
                 "both": "Bought here and from another provider"}  # fmt: skip
DONE = {
    "import": "The import is queued: users, domains and licenses are read from the customer's "
    "Microsoft tenant in the background. Reload this page to see it finish.",
}


def _filters(request: Request) -> tuple[dict[str, str], queries.UserFilter]:
    values = {name: text(request.query_params, name) for name in FILTERS}
    holding = values["holding"] if values["holding"] in queries.HOLDING else ""
    values["holding"] = holding
    return values, queries.UserFilter(
        values["search"][:100] or None, values["license"].lower()[:64] or None, holding or None
    )


async def _done(
    request: Request, session: AsyncSession, actor: Actor, licenses: dict[str, DirectoryLicense]
) -> str:
    """The confirmation after a redirect: ``assigned|removed:<user id>:<sku id>``."""
    done = request.query_params.get("done", "")
    if done in DONE:
        return DONE[done]
    what, _, rest = done.partition(":")
    user_id, _, sku_id = rest.partition(":")
    if what not in ("assigned", "removed") or sku_id not in licenses:
        return ""
    try:
        user = await queries.user(session, actor, uuid.UUID(user_id))
    except (ValueError, TenantryError):
        return ""
    verb = "assigned to" if what == "assigned" else "removed from"
    return f"{licenses[sku_id].name} {verb} {user.display_name} in Microsoft 365."


def _message(exc: TenantryError) -> str:
    if isinstance(exc, ValidationFailed):
        return sentence("; ".join(error.message for error in exc.errors) or exc.detail)
    return sentence(exc.detail)


async def _page(
    request: Request, session: AsyncSession, actor: Actor, organization_id: uuid.UUID, *,
    problem: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    found = await queries.directory(session, actor, organization_id)
    organization = found.organization
    context: dict[str, Any] = {
        "section": "organizations", "organization": organization, "directory": found,
        "source_labels": SOURCE_LABELS, "problem": problem,
        "may_import": actor.can(Permission.DIRECTORY_IMPORT)
        and organization.kind is OrganizationKind.CUSTOMER and organization.tenant_id is not None,
        "recent": await queries.recent_imports(session, organization.id),
        "reimport_hours": getattr(request.app.state.settings, "directory_reimport_hours", 0),
    }  # fmt: skip
    if is_htmx(request) and problem is None:
        return render(request, "directory/_section.html", context)
    values, filters = _filters(request)
    users, held, following = await queries.users_page(
        session, actor, organization_id, filters,
        cursor=request.query_params.get("cursor") or None, limit=PAGE_SIZE,
    )  # fmt: skip
    by_sku = {row.sku_id: row for row in found.licenses}
    query = {k: v for k, v in values.items() if v}
    base = f"/organizations/{organization.id}/directory"
    context |= {
        "users": users, "held": held, "licenses": by_sku, "filters": values,
        "holding_options": HOLDING_OPTIONS,
        "license_options": [("", "Any")] + [(r.sku_id, r.name) for r in found.licenses],
        "assignable": await assignments.assignable(session, organization.id),
        "may_assign": actor.can(Permission.LICENSES_ASSIGN) and organization.tenant_id is not None,
        "trials": await queries.trial_conversions(session, actor, organization.id),
        "done": await _done(request, session, actor, by_sku),
        "back": f"{base}?{urlencode(query)}" if query else base,
        "next_url": f"{base}?{urlencode(query | {'cursor': following})}" if following else None,
        "first_url": f"{base}?{urlencode(query)}" if request.query_params.get("cursor") else None,
    }  # fmt: skip
    return render(request, "directory/organization.html", context, status_code=status_code)


@router.get("/organizations/{organization_id}/directory")
async def directory_page(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    return await _page(request, session, actor, organization_id)


@router.post("/organizations/{organization_id}/directory/import")
async def import_now(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    try:
        async with session.begin_nested():
            await service.import_now(session, actor, organization_id)
    except TenantryError as exc:
        return await _page(request, session, actor, organization_id, problem=_message(exc),
                           status_code=exc.status)  # fmt: skip
    return redirect(f"/organizations/{organization_id}/directory?done=import")


@router.post("/directory-users/{directory_user_id}/licenses")
async def change_license(
    directory_user_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    user = await queries.user(session, actor, directory_user_id)
    form = await request.form()
    action, sku_id = text(form, "action"), text(form, "sku_id").lower()
    back = text(form, "back")
    if not back.startswith(f"/organizations/{user.organization_id}/directory"):
        back = f"/organizations/{user.organization_id}/directory"
    change = {"assign": [sku_id]} if action == "assign" else {"remove": [sku_id]}
    try:
        async with session.begin_nested(), partner_center(request).client(lookup=True) as client:
            await assignments.change_licenses(session, actor, client, user.id, **change)
    except TenantryError as exc:
        message = _message(exc)
        if not sku_id:
            whom = f"assign to {user.display_name}" if action == "assign" else "remove"
            message = f"Choose a license to {whom}."
        return await _page(request, session, actor, user.organization_id, problem=message,
                           status_code=exc.status)  # fmt: skip
    separator = "&" if "?" in back else "?"
    verb = "assigned" if action == "assign" else "removed"
    return redirect(f"{back}{separator}done={verb}:{user.id}:{sku_id}")
