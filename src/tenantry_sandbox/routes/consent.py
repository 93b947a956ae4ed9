"""The Microsoft 365 admin center pages a customer's Global Administrator opens from partner links.

- ``/Adminportal/Home?invType=ResellerRelationship|IndirectResellerRelationship&partnerId=...``
  (the links ``GET /v1/customers/relationshiprequests`` returns; the ``#/BillingAccounts/...``
  fragment never reaches a server): accept the reseller, and the Microsoft Customer Agreement;
- ``/AdminPortal/Home#/partners/invitation/granularAdminRelationships/{id}`` (the GDAP approval
  link): the page forwards the fragment to ``/AdminPortal/partners/invitation/
  granularAdminRelationships/{id}``, which shows the roles and duration and approves.

Both spellings, ``Adminportal`` and ``AdminPortal``, are served, as Microsoft's links use both.
The admin center signs people in through the sandbox's own identity platform
(``routes.oidc``), as its first-party app with PKCE; only a Global Administrator of the customer's
tenant can accept or approve.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from tenantry_sandbox.api import Session, State
from tenantry_sandbox.auth import IdentityError
from tenantry_sandbox.errors import PartnerCenterError
from tenantry_sandbox.routes._admin_session import (
    AdminSession,
    complete_sign_in,
    current_admin,
    sign_out,
    start_sign_in,
)
from tenantry_sandbox.routes._pages import message, page
from tenantry_sandbox.services import consent
from tenantry_sandbox.services import gdap as gdap_service
from tenantry_sandbox.services.relationships import parse_invitation
from tenantry_sandbox.store import customers, gdap, partners
from tenantry_sandbox.store.customers import Customer

router = APIRouter(include_in_schema=False)
portal = APIRouter()
GDAP_PATH = "/AdminPortal/partners/invitation/granularAdminRelationships"
# The Microsoft Customer Agreement in the admin center (the link partners send customers).
AGREEMENT_REF = "/BillingAccounts/agreement"


def _admin_message(
    request: Request, title: str, text: str, status_code: int = 200, **more: Any
) -> Response:
    """A message page in the admin center's chrome."""
    return message(request, title, text, status_code=status_code, chrome="admin", **more)


async def _customer_admin(
    request: Request, session: Session, admin: AdminSession
) -> Customer | Response:
    """The customer the signed-in Global Administrator administers, or the page saying why not."""
    customer = await customers.get(session, admin.tenant_id)
    if customer is None:
        title = "Sign in with your organization's account"
        text = (
            f"{admin.username} is not an account of a customer organization. Sign in with a "
            "Global Administrator of the organization the invitation was sent to."
        )
    elif not admin.global_admin:
        title = "You need the Global Administrator role"
        text = (
            f"{admin.username} is not a Global Administrator of {customer.company_name}. Ask a "
            "Global Administrator to open this link."
        )
    else:
        return customer
    another = [("Sign in with another account", "/AdminPortal/signout")]
    return _admin_message(request, title, text, 403, links=another, admin=admin)


async def _posting_admin(
    request: Request, state: State, session: Session, csrf: str, link: str
) -> tuple[AdminSession, Customer] | Response:
    """Who posts a form of the admin center: a signed-in Global Administrator whose form carries
    the session's CSRF token, with their customer; otherwise the page saying why not."""
    admin = current_admin(request, state.settings)
    if admin is None or csrf != admin.csrf:
        return _admin_message(request, "Your session expired", f"Open the {link} link again.", 403)
    customer = await _customer_admin(request, session, admin)
    if isinstance(customer, Response):
        return customer
    return admin, customer


@portal.get("/Home")
async def home(request: Request, state: State, session: Session) -> Response:
    admin = current_admin(request, state.settings)
    if admin is None:
        return start_sign_in(request, state.settings)
    if "invType" in request.query_params or "invtype" in request.query_params:
        return await _invitation_page(request, state, session, admin)
    if request.query_params.get("ref") == AGREEMENT_REF:
        return await _agreement_page(request, session, admin)
    pending = await gdap.pending_for_customer(session, admin.tenant_id)
    return page(request, "admin_home.html", chrome="admin", admin=admin, pending=pending)


async def _invitation_page(
    request: Request, state: State, session: Session, admin: AdminSession
) -> Response:
    customer = await _customer_admin(request, session, admin)
    if isinstance(customer, Response):
        return customer
    try:
        invitation = parse_invitation(str(request.url))
        view = await consent.describe(session, invitation, customer)
    except PartnerCenterError as exc:
        return _admin_message(request, "This invitation link isn't valid", exc.description, 400)
    return page(
        request,
        "admin_invitation.html",
        chrome="admin",
        admin=admin,
        customer=customer,
        view=view,
        invitation=request.url.query,
        mpn_id=request.query_params.get("msppId"),
    )


@portal.post("/invitations/accept")
async def accept_invitation(
    request: Request,
    state: State,
    session: Session,
    invitation: Annotated[str, Form()],
    csrf: Annotated[str, Form()],
    agree: Annotated[str | None, Form()] = None,
) -> Response:
    posting = await _posting_admin(request, state, session, csrf, "invitation")
    if isinstance(posting, Response):
        return posting
    admin, customer = posting
    try:
        parsed = parse_invitation("?" + invitation)
        if agree != "yes":
            view = await consent.describe(session, parsed, customer)
            return page(
                request,
                "admin_invitation.html",
                status_code=400,
                chrome="admin",
                admin=admin,
                customer=customer,
                view=view,
                invitation=invitation,
                error="Accept the Microsoft Customer Agreement to continue.",
            )
        view = await consent.accept(session, state, customer, parsed)
    except PartnerCenterError as exc:
        return _admin_message(request, "We couldn't accept this invitation", exc.description, 400)
    partner = view.partner_of_record.name
    reseller = f" and {view.partner.name} as your reseller" if view.provider else ""
    return _admin_message(
        request,
        "You accepted the invitation",
        f"{customer.company_name} now works with {partner}{reseller}.",
        links=[("Go to the admin center home", "/AdminPortal/Home")],
    )


@portal.get("/partners/invitation/granularAdminRelationships/{relationship_id}")
async def gdap_page(
    relationship_id: str, request: Request, state: State, session: Session
) -> Response:
    admin = current_admin(request, state.settings)
    if admin is None:
        return start_sign_in(request, state.settings)
    customer = await _customer_admin(request, session, admin)
    if isinstance(customer, Response):
        return customer
    relationship = await gdap.relationship(session, relationship_id)
    if relationship is None or relationship.customer_tenant_id not in (None, customer.id):
        return _admin_message(
            request,
            "We couldn't find this request",
            "The link may be wrong, or the request was sent to another organization.",
            404,
        )
    await gdap_service.advance(session, state, relationship)
    partner = await partners.get(session, relationship.partner_tenant_id)
    return page(
        request,
        "admin_gdap.html",
        chrome="admin",
        admin=admin,
        customer=customer,
        relationship=relationship,
        partner=partner,
        roles=[
            (gdap_service.ROLE_NAMES.get(r, "Custom or unlisted role"), r)
            for r in relationship.roles
        ],
        auto_extends=gdap_service.AUTO_EXTEND_DAYS.get(relationship.auto_extend_duration, 0),
    )


@portal.post("/partners/invitation/granularAdminRelationships/{relationship_id}/approve")
async def gdap_approve(
    relationship_id: str,
    request: Request,
    state: State,
    session: Session,
    csrf: Annotated[str, Form()],
) -> Response:
    posting = await _posting_admin(request, state, session, csrf, "approval")
    if isinstance(posting, Response):
        return posting
    admin, customer = posting
    relationship = await gdap.relationship(session, relationship_id)
    if relationship is None:
        return _admin_message(request, "We couldn't find this request", relationship_id, 404)
    try:
        await gdap_service.approve(session, state, relationship, customer, admin.object_id)
    except gdap_service.GraphError as exc:
        return _admin_message(request, "We couldn't approve this request", exc.message, exc.status)
    return RedirectResponse(f"{GDAP_PATH}/{relationship_id}", status_code=303)


async def _agreement_page(request: Request, session: Session, admin: AdminSession) -> Response:
    customer = await _customer_admin(request, session, admin)
    if isinstance(customer, Response):
        return customer
    return page(request, "admin_agreement.html", chrome="admin", admin=admin, customer=customer)


@portal.post("/BillingAccounts/agreement/accept")
async def accept_agreement(
    request: Request, state: State, session: Session, csrf: Annotated[str, Form()]
) -> Response:
    """The customer's Global Administrator accepts the Microsoft Customer Agreement itself:
    ``directSignedMicrosoftCustomerAgreementStatus`` then answers ``isSigned: true``."""
    posting = await _posting_admin(request, state, session, csrf, "agreement")
    if isinstance(posting, Response):
        return posting
    _, customer = posting
    customer.mca_direct_signed = True
    await session.flush()
    return RedirectResponse(f"/AdminPortal/Home?ref={AGREEMENT_REF}", status_code=303)


@portal.get("/signin-oidc")
async def signin_callback(request: Request, state: State, session: Session) -> Response:
    try:
        return await complete_sign_in(request, state, session)
    except IdentityError as exc:
        return _admin_message(request, "Sign-in failed", f"AADSTS{exc.code}: {exc.message}", 400)


@portal.get("/signout")
async def signout(request: Request) -> Response:
    return sign_out(request)


router.include_router(portal, prefix="/AdminPortal")
router.include_router(portal, prefix="/Adminportal")
