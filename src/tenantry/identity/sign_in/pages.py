"""Pages: sign in, choose the organization to work in, sign out."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import structlog
from fastapi import Request, Response

from tenantry.context import current_request
from tenantry.deps import AppSettings, DbSession
from tenantry.errors import Forbidden, TooManyRequests, Unauthorized
from tenantry.identity import auth
from tenantry.identity.microsoft import oidc as microsoft
from tenantry.identity.on_behalf import service as on_behalf
from tenantry.identity.sign_in import sessions, throttle
from tenantry.models import AuthSession, OrganizationKind
from tenantry.settings import Settings
from tenantry.web.forms import CSRF_FIELD, safe_next, sentence, text, tokens_match
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import page_router
from tenantry.web.signed_forms import SignedFormCookie, set_private_cookie
from tenantry.web.visitor import PageVisitor

router = page_router()
log = structlog.get_logger("tenantry.identity")

SIGN_IN_FORM = SignedFormCookie("tenantry_sign_in_csrf", "tenantry.sign-in-form", path="/sign-in")
CSRF_REFUSED = "the form is missing its CSRF token or it does not match; reload the page"


def _sign_in_page(
    request: Request,
    settings: Settings,
    *,
    next_path: str,
    email: str = "",
    errors: Mapping[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    token = SIGN_IN_FORM.token_for(request, settings)
    response = render(
        request,
        "identity/sign_in.html",
        {
            "values": {"email": email, "next": next_path},
            "errors": errors or {},
            "message": message,
            "sign_in_token": token,
            "signed_out": request.query_params.get("signed_out") == "1",
            "microsoft_offered": microsoft.offered(request),
        },
        status_code=status_code,
        headers=headers,
    )
    SIGN_IN_FORM.attach(response, settings, token)
    return response


async def _current_session(request: Request, session: DbSession) -> AuthSession | None:
    secret = request.cookies.get(auth.SESSION_COOKIE)
    auth_session = await auth.load_session(session, secret) if secret else None
    request.state.csrf_token = auth_session.csrf_token if auth_session else None
    return auth_session


@router.get("/")
async def home(visitor: PageVisitor) -> Response:
    """Customers land in their store, someone still registering on the organization form, and
    sellers' staff (or anyone not signed in) on the organizations."""
    if visitor.registering:
        return redirect("/register/organization", status_code=302)
    if visitor.actor is not None and visitor.actor.organization_kind is OrganizationKind.CUSTOMER:
        return redirect("/store", status_code=302)
    return redirect("/organizations", status_code=302)


@router.get("/sign-in")
async def sign_in_form(
    request: Request, session: DbSession, settings: AppSettings, next: str | None = None
) -> Response:
    next_path = safe_next(next)
    auth_session = await _current_session(request, session)
    if auth_session is not None and auth_session.organization_id is not None:
        return redirect(next_path)
    request.state.csrf_token = None  # the form shows no signed-in header
    return _sign_in_page(request, settings, next_path=next_path)


@router.post("/sign-in")
async def sign_in(request: Request, session: DbSession, settings: AppSettings) -> Response:
    form = await request.form()
    email = text(form, "email")
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    next_path = safe_next(text(form, "next"))

    def again(status_code: int, **shown: Any) -> Response:
        return _sign_in_page(
            request, settings, next_path=next_path, email=email, status_code=status_code, **shown
        )

    if not SIGN_IN_FORM.accepts(request, settings, text(form, CSRF_FIELD)):
        return again(403, message="This sign-in form has expired. Please sign in again.")
    errors = {
        name: message
        for name, value, message in (
            ("email", email, "Enter your email address."),
            ("password", password, "Enter your password."),
        )
        if not value
    }
    if errors:
        return again(422, errors=errors)
    trusted = request.cookies.get(throttle.TRUSTED_BROWSER_COOKIE)
    try:
        signed_in = await sessions.sign_in(
            session,
            settings,
            email=email,
            password=password,
            ip=current_request().ip,
            user_agent=request.headers.get("user-agent"),
            trusted_browser=throttle.is_trusted_browser(settings, trusted, email),
            replaces=request.cookies.get(auth.SESSION_COOKIE),
        )
    except TooManyRequests as exc:
        log.warning("sign-in throttled", retry_after=exc.retry_after)
        return again(
            429, message=sentence(exc.detail), headers={"Retry-After": str(exc.retry_after)}
        )
    except (Unauthorized, Forbidden) as exc:
        # The failure just recorded must be kept: answer normally so the transaction commits.
        log.info("sign-in refused", code=exc.code)
        message = sentence(exc.detail)
        if isinstance(exc, Forbidden):
            message = f"You cannot sign in: {message}"
        return again(exc.status, message=message)
    response = redirect(signed_in.landing(next_path))
    set_private_cookie(
        response, settings, auth.SESSION_COOKIE, signed_in.secret,
        max_age=settings.session_max_age_seconds,
    )  # fmt: skip
    set_private_cookie(
        response, settings, throttle.TRUSTED_BROWSER_COOKIE,
        throttle.trusted_browser_token(settings, email),
        max_age=throttle.TRUSTED_BROWSER_MAX_AGE, path="/sign-in",
    )  # fmt: skip
    SIGN_IN_FORM.clear(response)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, session: DbSession) -> Response:
    form = await request.form()
    auth_session = await _current_session(request, session)
    if auth_session is not None:
        if not tokens_match(auth_session.csrf_token, text(form, CSRF_FIELD)):
            raise Forbidden(CSRF_REFUSED)
        await sessions.end_session(session, request.cookies[auth.SESSION_COOKIE])
    response = redirect("/sign-in?signed_out=1")
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


async def _choice_page(
    request: Request,
    session: DbSession,
    auth_session: AuthSession,
    next_path: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    if auth_session.organization_id is not None:
        try:
            request.state.actor = await auth.actor_from_session(session, auth_session)
        except (Forbidden, Unauthorized):
            request.state.actor = None
    context = {
        "choices": await sessions.choices(session, auth_session.user_id),
        "current_id": auth_session.organization_id,
        "next_path": next_path,
        "error": error,
    }
    return render(request, "identity/select_organization.html", context, status_code=status_code)


@router.get("/select-organization")
async def select_organization_form(
    request: Request, session: DbSession, next: str | None = None
) -> Response:
    auth_session = await _current_session(request, session)
    if auth_session is None:
        raise Unauthorized("sign in first")
    await on_behalf.settle(request, session, auth_session, writing=False)  # the banner
    return await _choice_page(request, session, auth_session, safe_next(next))


@router.post("/select-organization")
async def select_organization(request: Request, session: DbSession) -> Response:
    form = await request.form()
    auth_session = await _current_session(request, session)
    if auth_session is None:
        raise Unauthorized("sign in first")
    if not tokens_match(auth_session.csrf_token, text(form, CSRF_FIELD)):
        raise Forbidden(CSRF_REFUSED)
    next_path = safe_next(text(form, "next"))
    try:
        organization_id = uuid.UUID(text(form, "organization_id"))
        await sessions.enter_organization(session, auth_session, organization_id)
    except ValueError:
        return await _choice_page(
            request, session, auth_session, next_path, error="Choose an organization.",
            status_code=422,
        )  # fmt: skip
    except Forbidden as exc:
        return await _choice_page(
            request, session, auth_session, next_path, error=sentence(exc.detail), status_code=403
        )
    return redirect(next_path)
