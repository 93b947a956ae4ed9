"""The page an invitation's link opens: who invites you where, and the button to join.

Joining needs an account of the invited address, signed in: a person without one creates it
(``/register``) or signs in, and comes back to the same link. The form carries the session's
CSRF token like every other.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request, Response

from tenantry.deps import DbSession
from tenantry.identity.email.tokens import Refusal, TokenRefused
from tenantry.identity.invitations import service
from tenantry.web.forms import CSRF_FIELD, text
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import page_router
from tenantry.web.visitor import PageVisitor

router = page_router()

REFUSED = {
    Refusal.UNKNOWN: "This invitation does not exist or was revoked. Ask whoever invited you to "
    "send it again.",
    Refusal.USED: "This invitation was accepted already.",
    Refusal.EXPIRED: "This invitation has expired. Ask whoever invited you to send it again.",
}


@router.get(service.ACCEPT_PATH)
async def invitation_page(
    request: Request, session: DbSession, visitor: PageVisitor, token: str = ""
) -> Response:
    """Show the invitation; a signed-in person of the invited address may join from here."""
    try:
        invitation, organization = await service.find(session, token)
    except TokenRefused as exc:
        refused = {"message": REFUSED[exc.reason]}
        return render(request, "identity/invitation_refused.html", refused, status_code=410)
    here = quote(f"{service.ACCEPT_PATH}?token={token}", safe="/")
    user = visitor.user
    context: dict[str, Any] = {
        "organization": organization.display_name,
        "role": invitation.role.value.replace("_", " "),
        "email": invitation.email,
        "token": token,
        "here": here,
        "signed_in_as": user.email if user else None,
        "matches": user is not None and user.email.lower() == invitation.email,
        "session_csrf": visitor.auth_session.csrf_token if visitor.auth_session else "",
    }
    return render(request, "identity/invitation.html", context)


@router.post(service.ACCEPT_PATH)
async def accept_invitation(request: Request, session: DbSession, visitor: PageVisitor) -> Response:
    """Join the organization, then choose where to work (the new organization is among them)."""
    form = await request.form()
    visitor.require_form_token(text(form, CSRF_FIELD))
    assert visitor.user is not None  # require_form_token needs a session, which has a person
    try:
        await service.accept(session, text(form, "token"), visitor.user)
    except TokenRefused as exc:
        context = {"message": REFUSED[exc.reason]}
        return render(request, "identity/invitation_refused.html", context, status_code=410)
    return redirect("/select-organization")
