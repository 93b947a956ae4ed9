"""The customer's page for the Microsoft Customer Agreement: read it, accept it.

Customer admins are sent here before the cart and the orders when their tenant has no
acceptance (:func:`acceptance_first`), and come back to where they were going. Template IDs are
never shown: the page names the agreement and links to Microsoft's document.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements import microsoft
from tenantry.agreements.customer import service
from tenantry.agreements.gate import CUSTOMER_ACCEPTANCE_PATH as PATH
from tenantry.agreements.gate import MCA_MISSING
from tenantry.deps import DbSession, WritingDbSession
from tenantry.errors import TenantryError
from tenantry.models import OrganizationKind, Role, User
from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.partnercenter.errors import PartnerCenterError
from tenantry.security import Actor
from tenantry.tenants.onboarding.model import ROUTE_WORDS
from tenantry.tenants.service_details import SERVICE_DETAILS_PATH
from tenantry.web.forms import problem_of, safe_next, text
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
FIELDS = ("first_name", "last_name", "email", "phone")
FIELD_NAMES = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Phone",
}
DEFAULT_NEXT = "/cart"


def _access(request: Request) -> PartnerCenterAccess:
    found: PartnerCenterAccess = request.app.state.partner_center
    return found


def language_of(request: Request, country: str) -> str | None:
    """The reader's first language (``da-DK``; ``da`` becomes ``da-{country}``)."""
    first = request.headers.get("accept-language", "").split(",")[0].split(";")[0].strip()
    if not first or first == "*":
        return None
    parts = first.split("-")
    if not all(p.isascii() and p.isalpha() for p in parts) or len(parts[0]) != 2:
        return None
    return f"{parts[0].lower()}-{(parts[1] if len(parts) > 1 else country).upper()}"


def _prefill(user: User | None) -> dict[str, str]:
    if user is None:
        return {}
    first, _, last = user.full_name.strip().partition(" ")
    return {"first_name": first, "last_name": last.strip(), "email": user.email}


async def _agreement(request: Request, client: PartnerCenterClient, country: str) -> dict[str, Any]:
    """The agreement to show: Microsoft's link, and the document for the customer's country and
    language where Microsoft offers one; or why it cannot be shown now."""
    try:
        template = await microsoft.current_template(client)
    except (*microsoft.UNREACHABLE, PartnerCenterError, TenantryError):
        return {"unavailable": True}
    document = await service.document(
        client, str(template.template_id), country, language_of(request, country)
    )
    return {"unavailable": False, "link": template.agreement_link, "document": document}


async def _page(
    request: Request, session: AsyncSession, actor: Actor, *,
    values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
    message: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    async with _access(request).client(lookup=True) as client:
        found = await service.situation(session, actor, client)
        agreement = (
            await _agreement(request, client, found.organization.address_country)
            if found.state == "to_accept"
            else {}
        )
    user = await session.get(User, actor.user_id) if actor.user_id else None
    typed = _prefill(user) | (values or {})
    context: dict[str, Any] = {
        "section": "cart", "found": found, "organization": found.organization,
        "agreement": agreement, "values": typed, "errors": errors or {}, "message": message,
        "field_names": FIELD_NAMES, "refusal": service.may_accept(actor),
        "next": safe_next(request.query_params.get("next"), DEFAULT_NEXT),
        "service_details": SERVICE_DETAILS_PATH,
        "check_error": found.status.check_error, "route_words": ROUTE_WORDS,
    }  # fmt: skip
    return render(request, "agreements/customer_acceptance.html", context, status_code=status_code)


@router.get(PATH)
async def acceptance_page(
    # Asking Partner Center for the status may record it, as the checkout API does.
    request: Request, session: WritingDbSession, actor: PageActor,
) -> Response:  # fmt: skip
    return await _page(request, session, actor)


@router.post(PATH)
async def accept(request: Request, session: DbSession, actor: PageActor) -> Response:
    form = await request.form()
    values = {name: text(form, name) for name in FIELDS}
    back = safe_next(text(form, "next"), DEFAULT_NEXT)
    try:
        async with session.begin_nested(), _access(request).client(lookup=True) as client:
            await service.accept(
                session, actor, client, first_name=values["first_name"],
                last_name=values["last_name"], email=values["email"],
                phone=values["phone"] or None,
            )  # fmt: skip
    except TenantryError as exc:
        errors, message = problem_of(exc)
        return await _page(request, session, actor, values=values, errors=errors,
                           message=message, status_code=exc.status)  # fmt: skip
    return redirect(back)


def accepts_in_person(actor: Actor) -> bool:
    """A customer admin signed in as themselves: the one sent to accept before ordering."""
    return (
        actor.organization_kind is OrganizationKind.CUSTOMER
        and not actor.acting_on_behalf
        and actor.role is Role.CUSTOMER_ADMIN
    )


def acceptance_first(actor: Actor, missing_codes: list[str], here: str) -> Response | None:
    """For a customer admin (in person) whose agreement is missing: the way to the acceptance
    page, coming back to ``here`` afterwards; otherwise None."""
    if not accepts_in_person(actor) or MCA_MISSING not in missing_codes:
        return None
    return redirect(f"{PATH}?next={quote(here, safe='/')}", status_code=303)
