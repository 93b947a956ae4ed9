"""The checkout's Service Details page: which Microsoft tenant the order is for.

For the organization the person works in (a customer's own people, or seller staff acting for the
customer). The prefix is checked as it is typed (htmx, after a pause); while the authorization is
awaited the page asks every two seconds whether the tenant got linked (by Verify authorization
here or elsewhere, or by Partner Center's webhook) and then offers the checkout at once.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.deps import DbSession
from tenantry.errors import Forbidden, TenantryError
from tenantry.models import OrganizationKind
from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.security import Actor, Permission
from tenantry.tenants import emails, prefix, service_details, verification
from tenantry.tenants.service_details import SERVICE_DETAILS_PATH as PATH
from tenantry.web.forms import problem_of, text
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
FIELD_NAMES = {
    "domain_prefix": "Domain prefix",
    "customer_domain": "Domain used with Microsoft 365",
    "to": "Send to",
    "choice": "Microsoft tenant",
}


def _access(request: Request) -> PartnerCenterAccess:
    found: PartnerCenterAccess = request.app.state.partner_center
    return found


def existing_label(actor: Actor) -> str:
    """Who owns the tenant, said to whoever is choosing."""
    if actor.acting_on_behalf or actor.organization_kind is not OrganizationKind.CUSTOMER:
        return "My customer is already using Microsoft 365 and owns this domain"
    return "I am already using Microsoft 365 and I own this domain"


async def _page(
    request: Request, session: AsyncSession, actor: Actor, *,
    values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
    message: str | None = None, notice: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    if actor.organization_kind is not OrganizationKind.CUSTOMER:
        raise Forbidden(
            "Service Details are chosen for a customer: open the customer with "
            "Open as this customer first"
        )
    step = await service_details.load(session, actor, actor.organization_id)
    details = step.details
    typed = {
        "choice": details.choice.value if details else "",
        "domain_prefix": (details.domain_prefix if details else None) or "",
        "customer_domain": (details.customer_domain if details else None)
        or step.organization.domain
        or "",
        "to": step.organization.contact_email or "",
    } | (values or {})
    context: dict[str, Any] = {
        "section": "cart", "step": step, "details": details, "values": typed,
        "errors": errors or {}, "message": message, "notice": notice,
        "existing_label": existing_label(actor), "field_names": FIELD_NAMES,
        "may_manage": actor.can(Permission.TENANTS_MANAGE), "suffix": prefix.SUFFIX,
        "max_length": prefix.MAX_LENGTH,
    }  # fmt: skip
    return render(request, "tenants/service_details.html", context, status_code=status_code)


@router.get(PATH)
async def service_details_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    return await _page(request, session, actor)


@router.post(PATH)
async def choose(request: Request, session: DbSession, actor: PageActor) -> Response:
    form = await request.form()
    values = {k: text(form, k) for k in ("choice", "domain_prefix", "customer_domain")}
    try:
        async with session.begin_nested(), _access(request).client(lookup=True) as client:
            if values["choice"] == "new":
                await service_details.choose_new(
                    session, actor, actor.organization_id, client, values["domain_prefix"]
                )
            elif values["choice"] == "existing":
                await service_details.choose_existing(
                    session, actor, actor.organization_id, client, values["customer_domain"]
                )
            else:
                errors = {"choice": "choose a new tenant or the one already in use"}
                return await _page(request, session, actor, values=values, errors=errors,
                                   status_code=422)  # fmt: skip
    except TenantryError as exc:
        errors, message = problem_of(exc)
        return await _page(request, session, actor, values=values, errors=errors,
                           message=message, status_code=exc.status)  # fmt: skip
    return redirect(PATH)


@router.get(f"{PATH}/availability")
async def availability(request: Request, actor: PageActor, domain_prefix: str = "") -> Response:
    """The prefix's line under the field, as typed: its rule, or whether Partner Center has it."""
    del actor  # signed in (the page's person); nothing about organizations is revealed
    name = prefix.normalize(domain_prefix)
    context: dict[str, Any] = {"name": name, "domain": prefix.domain_of(name), "error": None}
    try:
        async with _access(request).client(lookup=True) as client:
            _, error = await service_details.prefix_available(client, domain_prefix)
        context["error"] = error.message if error else None
    except TenantryError as exc:
        context["error"] = problem_of(exc)[1]
    return render(request, "tenants/_availability.html", context)


@router.get(f"{PATH}/status")
async def status(request: Request, session: DbSession, actor: PageActor) -> Response:
    """Polled while the authorization is awaited; once linked it offers the checkout."""
    step = await service_details.load(session, actor, actor.organization_id)
    return render(request, "tenants/_status.html", {"step": step})


@router.post(f"{PATH}/verify")
async def verify(request: Request, session: DbSession, actor: PageActor) -> Response:
    form = await request.form()
    domain = text(form, "customer_domain")
    try:
        async with session.begin_nested(), _access(request).client(lookup=True) as client:
            await verification.verify(session, actor, actor.organization_id, client, domain)
    except TenantryError as exc:
        errors, message = problem_of(exc)
        return await _page(request, session, actor, values={"customer_domain": domain},
                           errors=errors, message=message, status_code=exc.status)  # fmt: skip
    return redirect(f"{PATH}?verified=1")


@router.post(f"{PATH}/email")
async def email(request: Request, session: DbSession, actor: PageActor) -> Response:
    form = await request.form()
    to = text(form, "to")
    try:
        async with session.begin_nested():
            _, recipient = await emails.email_link(session, actor, actor.organization_id, to)
    except TenantryError as exc:
        errors, message = problem_of(exc)
        return await _page(request, session, actor, values={"to": to}, errors=errors,
                           message=message, status_code=exc.status)  # fmt: skip
    return await _page(request, session, actor, notice=f"The link was emailed to {recipient}.")
