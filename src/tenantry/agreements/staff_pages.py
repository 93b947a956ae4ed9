"""A customer's Microsoft Customer Agreement on pages, for sellers' staff: the status and its
evidence, "Check with Partner Center now", the attestation form (platform staff), the acceptance
request email and "Ask the distributor to attest" (resellers), and the distributor's queue of
requests. The card on the organization's page is loaded into it by htmx.

Writes call the same services as the API inside a savepoint: a refusal leaves nothing behind
and the form comes back with what was typed and the reason beside the field.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements import acceptance_email, attestations, evidence, requests
from tenantry.agreements.staff_api import access_of
from tenantry.agreements.staff_schemas import (
    AttestationCreate,
    AttestationRequestCreate,
    AttestationRequestDecline,
)
from tenantry.deps import DbSession
from tenantry.errors import TenantryError
from tenantry.models import AttestationRequestStatus, Organization
from tenantry.security import Actor, Permission, organization_names
from tenantry.web.forms import FormState, payload, problem_of, validate, values_of
from tenantry.web.rendering import is_htmx, redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
PERSON = ("first_name", "last_name", "email", "phone", "date_agreed")
FIELDS = {"attest": PERSON, "ask": (*PERSON, "note"), "send": ("to",), "decline": ("reason",)}
STATE_LABELS = {
    "accepted": "Accepted (confirmed in Partner Center)",
    "direct_signed": "Signed directly by the customer in the Microsoft 365 admin center",
    "missing": "Not accepted: Microsoft refuses purchases, more licenses and renewals",
    "unknown": "Not known yet",
    "pending": "Accepted in Tenantry; confirmed to Partner Center when the new tenant is made",
}
ROUTE_LABELS = {
    "customer_in_product": "Accepted by the customer in Tenantry",
    "staff_attestation": "Attested by staff",
    "direct_signed": "Signed by the customer in the Microsoft 365 admin center",
    "partner_center": "Found confirmed in Partner Center",
}
DONE = {
    "refreshed": "Partner Center was asked: the status below is current.",
    "attested": "Partner Center confirmed the acceptance; it is kept as evidence.",
    "sent": "The acceptance request was emailed.",
    "asked": "Your distributor was asked to attest; you will get an email with the outcome.",
    "withdrawn": "The request was withdrawn.",
    "declined": "The request was declined; the reseller is told why.",
}
FORM_NAMES = {"first_name": "First name", "last_name": "Last name", "email": "Email",
              "phone": "Phone", "date_agreed": "Date of acceptance", "note": "Note",
              "to": "Send to", "reason": "Reason"}  # fmt: skip


def contact_form(organization: Organization) -> FormState:
    """The attestation form, prefilled with the customer's primary contact (editable)."""
    first, _, last = " ".join(organization.contact_name.split()).rpartition(" ")
    return FormState({"first_name": first or last, "last_name": last if first else "",
                      "email": organization.contact_email,
                      "phone": organization.contact_phone or ""})  # fmt: skip


def path_of(organization_id: uuid.UUID, done: str | None = None) -> str:
    path = f"/organizations/{organization_id}/agreements"
    return f"{path}?done={done}" if done else path


async def _page(
    request: Request, session: AsyncSession, actor: Actor, organization_id: uuid.UUID, *,
    forms: dict[str, FormState] | None = None, message: str | None = None,
    status_code: int = 200,
) -> Response:  # fmt: skip
    organization = await attestations.customer(session, actor, organization_id)
    view = await attestations.view(session, actor, organization)
    can = view.can()
    shown = {"attest": contact_form(organization), "ask": FormState({}),
             "send": FormState({"to": organization.contact_email})} | (forms or {})  # fmt: skip
    reseller_requests = []
    if actor.can(Permission.AGREEMENTS_ATTEST) or actor.can(
        Permission.AGREEMENTS_REQUEST_ATTESTATION
    ):
        reseller_requests = list(
            await requests.listed(session, actor, organization_id=organization.id)
        )
    context: dict[str, Any] = {
        "section": "organizations", "organization": organization, "view": view, "can": can,
        "state_label": STATE_LABELS[view.state], "route_labels": ROUTE_LABELS,
        "evidence": await evidence.acceptances_of(session, organization.id, attestations.MCA),
        "forms": shown, "requests": reseller_requests, "names": FORM_NAMES,
        "message": message, "done": DONE.get(request.query_params.get("done", "")),
    }  # fmt: skip
    return render(request, "agreements/organization.html", context, status_code=status_code)


@router.get("/organizations/{organization_id}/agreements")
async def agreements_page(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    return await _page(request, session, actor, organization_id)


@router.get("/organizations/{organization_id}/agreements/card")
async def agreements_card(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    """The Microsoft Customer Agreement's state on the organization's page (htmx)."""
    organization = await attestations.customer(session, actor, organization_id)
    view = await attestations.view(session, actor, organization)
    context = {"organization": organization, "view": view,
               "state_label": STATE_LABELS[view.state], "partial": is_htmx(request)}  # fmt: skip
    return render(request, "agreements/_card.html", context)


Write = Callable[[dict[str, Any]], Awaitable[object]]


async def _submit(
    request: Request, session: AsyncSession, actor: Actor, organization_id: uuid.UUID,
    form_name: str, write: Write, done: str,
) -> Response:  # fmt: skip
    """Run one form's write in a savepoint; on a refusal show the page again with the form."""
    form = await request.form()
    values = values_of(form, FIELDS.get(form_name, ()))
    try:
        async with session.begin_nested():
            await write(payload(values))
    except TenantryError as exc:
        errors, message = problem_of(exc)
        forms = {form_name: FormState(values, errors, message)}
        return await _page(request, session, actor, organization_id, forms=forms,
                           message=message, status_code=exc.status)  # fmt: skip
    return redirect(path_of(organization_id, done))


@router.post("/organizations/{organization_id}/agreements/refresh")
async def refresh(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    async def write(_: dict[str, Any]) -> None:
        async with access_of(request).client(lookup=True) as client:
            await attestations.refresh_now(session, actor, client, organization_id)

    return await _submit(request, session, actor, organization_id, "refresh", write, "refreshed")


@router.post("/organizations/{organization_id}/agreements/attestations")
async def attest(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    async def write(data: dict[str, Any]) -> None:
        attestations.require_attest(actor)
        parsed = validate(AttestationCreate, data)
        async with access_of(request).client(lookup=True) as client:
            await attestations.attest(session, actor, client, organization_id, parsed)

    return await _submit(request, session, actor, organization_id, "attest", write, "attested")


@router.post("/organizations/{organization_id}/agreements/acceptance-request")
async def send_acceptance_request(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    admin_center = access_of(request).config().admin_center_url

    async def write(data: dict[str, Any]) -> None:
        await acceptance_email.send(
            session, actor, organization_id, data.get("to"), admin_center_url=admin_center
        )

    return await _submit(request, session, actor, organization_id, "send", write, "sent")


@router.post("/organizations/{organization_id}/agreements/attestation-requests")
async def ask_distributor(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    async def write(data: dict[str, Any]) -> None:
        parsed = validate(AttestationRequestCreate, data)
        await requests.create(session, actor, organization_id, parsed)

    return await _submit(request, session, actor, organization_id, "ask", write, "asked")


@router.post("/agreements/requests/{request_id}/withdraw")
async def withdraw(
    request_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    row = await requests.withdraw(session, actor, request_id)
    return redirect(path_of(row.organization_id, "withdrawn"))


async def _queue(
    request: Request, session: AsyncSession, actor: Actor, *,
    failed: tuple[uuid.UUID, str, FormState] | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    attestations.require_attest(actor)
    rows = await requests.listed(session, actor)
    open_rows = [r for r in rows if r.status is AttestationRequestStatus.OPEN]
    names = await organization_names(
        session, actor, {r.organization_id for r in rows} | {r.reseller_id for r in rows}
    )
    context = {
        "section": "attestation_requests", "open_rows": open_rows, "names": names,
        "closed_rows": [r for r in rows if r.status is not AttestationRequestStatus.OPEN][:50],
        "failed": failed, "form_names": FORM_NAMES, "defaults": requests.defaults_of,
        "done": DONE.get(request.query_params.get("done", "")),
    }  # fmt: skip
    return render(request, "agreements/requests_queue.html", context, status_code=status_code)


@router.get("/agreements/requests")
async def queue(request: Request, session: DbSession, actor: PageActor) -> Response:
    """The distributor's queue of resellers' attestation requests."""
    return await _queue(request, session, actor)


async def _decide(
    request: Request, session: AsyncSession, actor: Actor, request_id: uuid.UUID,
    form_name: str, write: Write, done: str,
) -> Response:  # fmt: skip
    form = await request.form()
    values = values_of(form, FIELDS[form_name])
    try:
        async with session.begin_nested():
            await write(payload(values))
    except TenantryError as exc:
        errors, message = problem_of(exc)
        state = FormState(values | {"form": form_name}, errors, message)
        return await _queue(
            request, session, actor, failed=(request_id, form_name, state),
            status_code=exc.status,
        )  # fmt: skip
    return redirect(f"/agreements/requests?done={done}")


@router.post("/agreements/requests/{request_id}/attest")
async def attest_request(
    request_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    async def write(data: dict[str, Any]) -> None:
        parsed = validate(AttestationCreate, data)
        async with access_of(request).client(lookup=True) as client:
            await requests.attest(session, actor, client, request_id, parsed)

    return await _decide(request, session, actor, request_id, "attest", write, "attested")


@router.post("/agreements/requests/{request_id}/decline")
async def decline_request(
    request_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    async def write(data: dict[str, Any]) -> None:
        parsed = validate(AttestationRequestDecline, data)
        await requests.decline(session, actor, request_id, parsed.reason)

    return await _decide(request, session, actor, request_id, "decline", write, "declined")
