"""Pages reached from emailed links: confirming the address, and resetting a forgotten password.

The forms a person fills in before signing in (forgot password, new password) carry a signed
double-submit CSRF token, as the sign-in form does: the same signed random value in a cookie
and in the form, so another site cannot post them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog
from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.context import current_request
from tenantry.deps import AppSettings, DbSession, WritingDbSession
from tenantry.errors import Forbidden, TooManyRequests, ValidationFailed
from tenantry.identity import auth
from tenantry.identity.email import verification
from tenantry.identity.email.tokens import Refusal, TokenRefused
from tenantry.identity.on_behalf import service as on_behalf
from tenantry.identity.passwords import policy as password_policy
from tenantry.identity.passwords import reset as password_reset
from tenantry.models import User
from tenantry.settings import Settings
from tenantry.web.forms import CSRF_FIELD, errors_by_field, sentence, text
from tenantry.web.rendering import render
from tenantry.web.routing import PageActor, page_router
from tenantry.web.signed_forms import SignedFormCookie

router = page_router()
log = structlog.get_logger("tenantry.identity")

EMAIL_LINK_FORM = SignedFormCookie("tenantry_form_csrf", "tenantry.email-link-forms")
FORM_EXPIRED = "This form has expired. Please try again."
SENT = (
    "If an account exists for {email}, we sent it a link to reset the password. "
    "The link works for one hour."
)
REFUSED = {
    Refusal.UNKNOWN: "This link is not valid. Copy the whole link from the email, or ask for a new one.",
    Refusal.USED: "This link was used already. Each link works once; ask for a new one.",
    Refusal.EXPIRED: "This link has expired. Ask for a new one.",
}


def _form_posted_by_us(request: Request, settings: Settings, form: Mapping[str, Any]) -> bool:
    submitted = form.get(CSRF_FIELD)
    return EMAIL_LINK_FORM.accepts(
        request, settings, submitted if isinstance(submitted, str) else None
    )


def _page(
    request: Request,
    settings: Settings,
    name: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A page with a form for someone who may not be signed in (no session header shown)."""
    request.state.csrf_token = None
    token = EMAIL_LINK_FORM.token_for(request, settings)
    response = render(
        request, name, {"form_token": token, **context}, status_code=status_code, headers=headers
    )
    EMAIL_LINK_FORM.attach(response, settings, token)
    return response


async def _refused_while_acting(request: Request, session: AsyncSession) -> str | None:
    """Why this browser may not reset passwords now: its session acts for a customer."""
    secret = request.cookies.get(auth.SESSION_COOKIE)
    auth_session = await auth.load_session(session, secret) if secret else None
    try:
        await on_behalf.refuse_credential_change_in(session, auth_session)
    except on_behalf.ActingForCustomer as exc:
        return sentence(exc.detail)
    return None


def _refused(
    request: Request, settings: Settings, exc: TokenRefused, *, again: str, session_csrf: str = ""
) -> Response:
    context = {"message": REFUSED[exc.reason], "again": again, "session_csrf": session_csrf}
    return _page(request, settings, "identity/link_refused.html", context, status_code=410)


# --- Confirming the email address ------------------------------------------------------------


@router.post("/verify-email/send")
async def send_verification(request: Request, session: DbSession, actor: PageActor) -> Response:
    """Email the signed-in person a new link to confirm their address."""
    if actor.user_id is None:
        raise Forbidden("only a person signed in to the pages can confirm an email address")
    user = await session.get_one(User, actor.user_id)
    if user.email_verified_at is None:
        await verification.send_link(session, actor, user)
    context = {"email": user.email, "already": user.email_verified_at is not None}
    return render(request, "identity/verify_email_sent.html", context)


@router.get("/verify-email")
async def verify_email(
    request: Request, session: WritingDbSession, settings: AppSettings, token: str = ""
) -> Response:
    try:
        user = await verification.verify(session, token)
    except TokenRefused as exc:
        log.info("verification link refused", reason=exc.reason.value)
        # A signed-in person can ask for a new link right here (the button needs their token).
        secret = request.cookies.get(auth.SESSION_COOKIE)
        auth_session = await auth.load_session(session, secret) if secret else None
        csrf = auth_session.csrf_token if auth_session else ""
        return _refused(request, settings, exc, again="verify", session_csrf=csrf)
    context = {"email": user.email}
    return _page(request, settings, "identity/email_verified.html", context)


# --- Forgotten password -----------------------------------------------------------------------


@router.get("/forgot-password")
async def forgot_password_form(request: Request, settings: AppSettings) -> Response:
    return _page(request, settings, "identity/forgot_password.html", {"values": {}, "errors": {}})


@router.post("/forgot-password")
async def forgot_password(request: Request, session: DbSession, settings: AppSettings) -> Response:
    form = await request.form()
    email = text(form, "email")

    def again(status_code: int, headers: Mapping[str, str] | None = None, **shown: Any) -> Response:
        context = {"values": {"email": email}, "errors": {}, **shown}
        return _page(
            request, settings, "identity/forgot_password.html", context,
            status_code=status_code, headers=headers,
        )  # fmt: skip

    if not _form_posted_by_us(request, settings, form):
        return again(403, message=FORM_EXPIRED)
    if refused := await _refused_while_acting(request, session):
        return again(403, message=refused)
    if "@" not in email:
        return again(422, errors={"email": "Enter your email address."})
    try:
        await password_reset.request_link(session, settings, email=email, ip=current_request().ip)
    except TooManyRequests as exc:
        message = sentence(exc.detail.replace("failed sign-ins", "requests for this address"))
        return again(429, message=message, headers={"Retry-After": str(exc.retry_after)})
    return again(200, sent=SENT.format(email=email))


@router.get("/reset-password")
async def reset_password_form(
    request: Request, session: DbSession, settings: AppSettings, token: str = ""
) -> Response:
    try:
        await password_reset.user_of_link(session, token)
    except TokenRefused as exc:
        return _refused(request, settings, exc, again="reset")
    return _reset_page(request, settings, token)


def _reset_page(
    request: Request,
    settings: Settings,
    token: str,
    *,
    errors: Mapping[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "token": token,
        "values": {},
        "errors": errors or {},
        "message": message,
        "min_length": password_policy.MIN_LENGTH,
    }
    return _page(
        request, settings, "identity/reset_password.html", context, status_code=status_code
    )


@router.post("/reset-password")
async def reset_password(request: Request, session: DbSession, settings: AppSettings) -> Response:
    form = await request.form()
    token = text(form, "token")
    if not _form_posted_by_us(request, settings, form):
        return _reset_page(request, settings, token, message=FORM_EXPIRED, status_code=403)
    if refused := await _refused_while_acting(request, session):
        return _reset_page(request, settings, token, message=refused, status_code=403)
    password, confirmation = (
        value if isinstance(value := form.get(name), str) else ""
        for name in ("password", "password_confirmation")
    )
    try:
        user = await password_reset.reset(
            session, token, password=password, confirmation=confirmation
        )
    except TokenRefused as exc:
        return _refused(request, settings, exc, again="reset")
    except ValidationFailed as exc:
        errors = errors_by_field(exc.errors)
        return _reset_page(request, settings, token, errors=errors, status_code=422)
    response = _page(request, settings, "identity/password_changed.html", {"email": user.email})
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    EMAIL_LINK_FORM.clear(response)
    return response
