"""The platform's payment settings on a page: which segments and which customers skip payment."""

from __future__ import annotations

import uuid

from fastapi import Request, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.deps import DbSession
from tenantry.errors import TenantryError
from tenantry.models import Organization, OrganizationKind
from tenantry.orders.payments import settings
from tenantry.security import Actor, organization_scope
from tenantry.web.forms import problem_of, text
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
PATH = "/orders/payment-settings"
CHOICES = {"skip": True, "pay": False, "segments": None}


async def _page(
    request: Request, session: AsyncSession, actor: Actor, *, message: str | None = None,
    status_code: int = 200,
) -> Response:  # fmt: skip
    segments, organizations = await settings.overview(session, actor)
    customers = await session.execute(
        select(Organization.id, Organization.display_name)
        .where(organization_scope(actor), Organization.kind == OrganizationKind.CUSTOMER)
        .order_by(Organization.display_name)
    )
    context = {
        "section": "orders", "segments": segments, "organizations": organizations,
        "customers": [(str(i), name) for i, name in customers], "message": message,
        "saved": request.query_params.get("saved") == "1",
    }  # fmt: skip
    return render(request, "orders/payment_settings.html", context, status_code=status_code)


@router.get(PATH)
async def payment_settings_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    return await _page(request, session, actor)


@router.post(PATH)
async def save_payment_setting(request: Request, session: DbSession, actor: PageActor) -> Response:
    """One change: a segment's setting (``segment_id``, ``skip``: yes/no) or a customer's
    (``organization_id``, ``choice``: skip, pay, or segments to remove its own setting)."""
    form = await request.form()
    try:
        async with session.begin_nested():
            if segment := text(form, "segment_id"):
                await settings.set_segment(
                    session, actor, uuid.UUID(segment), text(form, "skip") == "yes"
                )
            else:
                choice = text(form, "choice")
                if choice not in CHOICES:
                    raise ValueError(choice)
                await settings.set_organization(
                    session, actor, uuid.UUID(text(form, "organization_id")), CHOICES[choice]
                )
    except ValueError:
        return await _page(request, session, actor, message="Choose a customer and a setting.",
                           status_code=422)  # fmt: skip
    except TenantryError as exc:
        _, message = problem_of(exc)
        return await _page(request, session, actor, message=message, status_code=exc.status)
    return redirect(f"{PATH}?saved=1")
