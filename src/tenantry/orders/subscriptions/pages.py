"""Pages of a customer's subscriptions: the list, and one subscription with its changes and
the forms to ask for another (for the customer's admins and its seller's staff)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.deps import DbSession
from tenantry.errors import TenantryError, ValidationFailed, invalid
from tenantry.models import Organization
from tenantry.orders.catalog.terms import subscription_plan
from tenantry.orders.subscriptions import rules, service
from tenantry.orders.subscriptions.api import read
from tenantry.orders.subscriptions.paths import LIST, ONE, path_of
from tenantry.security import Actor
from tenantry.web.forms import problem_of, text
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()


@router.get("/subscriptions")
async def own_subscriptions(actor: PageActor) -> Response:
    """The menu's entry for a customer's own people: their organization's subscriptions."""
    return redirect(path_of(actor.organization_id), status_code=302)


@router.get(LIST)
async def subscriptions_page(
    request: Request, organization_id: uuid.UUID, session: DbSession, actor: PageActor
) -> Response:
    organization = await service.organization(session, actor, organization_id)
    rows = await service.subscriptions_of(session, organization)
    context = {
        "section": "subscriptions", "organization": organization,
        "subscriptions": [read(row) for row in rows], "subscription_plan": subscription_plan,
    }  # fmt: skip
    return render(request, "subscriptions/list.html", context)


async def _detail(
    request: Request, session: AsyncSession, actor: Actor, organization: Organization,
    row_id: uuid.UUID, *, errors: dict[str, str] | None = None, message: str | None = None,
    values: dict[str, str] | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    row = await service.subscription(session, organization, row_id)
    context: dict[str, Any] = {
        "section": "subscriptions", "organization": organization, "subscription": read(row),
        "changes": list(await service.changes_of(session, row)),
        "may_change": rules.may_change(actor), "read_only_hint": rules.READ_ONLY_HINT,
        "form_key": str(uuid.uuid4()), "errors": errors or {}, "message": message,
        "values": values or {}, "subscription_plan": subscription_plan,
    }  # fmt: skip
    return render(request, "subscriptions/detail.html", context, status_code=status_code)


@router.get(ONE)
async def subscription_page(
    request: Request, organization_id: uuid.UUID, subscription_id: uuid.UUID,
    session: DbSession, actor: PageActor,
) -> Response:  # fmt: skip
    organization = await service.organization(session, actor, organization_id)
    return await _detail(request, session, actor, organization, subscription_id)


def _wanted(form: Any) -> service.Wanted:
    if (renew := text(form, "auto_renew")) in ("on", "off"):
        return service.Wanted(auto_renew=renew == "on")
    raw = text(form, "quantity")
    try:
        return service.Wanted(quantity=int(raw))
    except ValueError:
        raise invalid("quantity", "integer", "a whole number of licenses, such as 5") from None


@router.post(f"{ONE}/changes")
async def change_subscription(
    request: Request, organization_id: uuid.UUID, subscription_id: uuid.UUID,
    session: DbSession, actor: PageActor,
) -> Response:  # fmt: skip
    organization = await service.organization(session, actor, organization_id)
    form = await request.form()
    try:
        key = str(uuid.UUID(text(form, "form_key")))
    except ValueError:
        key = None
    try:
        async with session.begin_nested():
            if key is None:
                raise ValidationFailed([], "reload the page and ask again")
            await service.request_change(
                session, actor, organization_id, subscription_id, _wanted(form),
                idempotency_key=f"form:{key}", access=request.app.state.partner_center,
            )  # fmt: skip
    except TenantryError as exc:
        errors, message = problem_of(exc)
        return await _detail(
            request, session, actor, organization, subscription_id, errors=errors,
            message=message, values={"quantity": text(form, "quantity")},
            status_code=exc.status,
        )  # fmt: skip
    return redirect(path_of(organization_id, subscription_id))
