"""Pages: sign up, and register the organization (the first steps of a new customer)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx
import structlog
from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements.platform import acceptance, versions
from tenantry.context import current_request
from tenantry.deps import AppSettings, DbSession
from tenantry.errors import TenantryError, TooManyRequests, ValidationFailed
from tenantry.identity import auth
from tenantry.identity.invitations import service as invitations
from tenantry.identity.passwords import policy as password_policy
from tenantry.identity.sign_in import sessions
from tenantry.models import AgreementKind
from tenantry.organizations import page_forms as forms
from tenantry.organizations import repository
from tenantry.organizations.tenant_check import LOOKUP_TIMEOUT_SECONDS
from tenantry.registration import service, signup, storefront
from tenantry.settings import Settings
from tenantry.web.forms import (
    CSRF_FIELD,
    FormState,
    FormValues,
    payload,
    problem_of,
    safe_next,
    text,
    validate,
    values_of,
)
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import page_router
from tenantry.web.signed_forms import SignedFormCookie, set_private_cookie
from tenantry.web.visitor import PageVisitor, Visitor

router = page_router()
log = structlog.get_logger("tenantry.registration")

REGISTER_FORM = SignedFormCookie(
    "tenantry_register_csrf", "tenantry.register-form", path="/register"
)
SIGN_UP_FIELDS = {
    "full_name": "Your name", "email": "Email address", "password": "Password",
    "password_confirmation": "Password again",
}  # fmt: skip
ORGANIZATION_FIELDS = (
    "legal_name", "industry", "registration_number", "vat_id", *forms.PROFILE_FIELDS,
)  # fmt: skip
# Addresses at these providers say nothing about the organization's own domain.
PUBLIC_EMAIL_DOMAINS = frozenset(
    {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
     "yahoo.com", "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com",
     "gmx.de", "web.de", "mail.com", "yandex.com", "zoho.com"}
)  # fmt: skip
DEFAULT_AFTER_REGISTRATION = "/store"


def _after(next_path: str) -> str:
    """Where a new account goes: registering its organization, unless it signed up to accept
    an invitation (it joins an organization; it has none to register)."""
    if next_path.startswith(invitations.ACCEPT_PATH):
        return next_path
    return f"/register/organization?next={quote(next_path, safe='/')}"


async def _sign_up_page(
    request: Request,
    session: AsyncSession,
    settings: Settings,
    *,
    next_path: str,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    seller = await storefront.current(request, session)
    config = await repository.platform_config(session, seller.platform_id)
    request.state.csrf_token = None
    token = REGISTER_FORM.token_for(request, settings)
    context = {
        "seller": seller,
        "work_domains": config.work_account_domains,
        "values": values or {},
        "errors": errors or {},
        "message": message,
        "form_token": token,
        "next_path": next_path,
        "after": _after(next_path),
        "min_length": password_policy.MIN_LENGTH,
        "field_names": SIGN_UP_FIELDS,
    }
    response = render(
        request, "registration/register.html", context, status_code=status_code, headers=headers
    )
    REGISTER_FORM.attach(response, settings, token)
    return response


@router.get("/register")
async def sign_up_form(
    request: Request, session: DbSession, settings: AppSettings, visitor: PageVisitor,
    next: str | None = None,
) -> Response:  # fmt: skip
    next_path = safe_next(next, DEFAULT_AFTER_REGISTRATION)
    if visitor.user is not None:  # signed in already: on to the organization, or back
        return redirect(next_path if visitor.actor else _after(next_path), status_code=302)
    return await _sign_up_page(request, session, settings, next_path=next_path)


@router.post("/register")
async def sign_up(request: Request, session: DbSession, settings: AppSettings) -> Response:
    form = await request.form()
    next_path = safe_next(text(form, "next"), DEFAULT_AFTER_REGISTRATION)
    values = {name: text(form, name) for name in ("full_name", "email")}

    async def again(status_code: int, **shown: Any) -> Response:
        return await _sign_up_page(
            request, session, settings, next_path=next_path, values=values,
            status_code=status_code, **shown,
        )  # fmt: skip

    if not REGISTER_FORM.accepts(request, settings, text(form, CSRF_FIELD)):
        return await again(403, message="This form has expired. Please try again.")
    raw = {name: form.get(name) for name in ("password", "password_confirmation")}
    try:
        signed_in = await signup.sign_up(
            session, settings, full_name=values["full_name"], email=values["email"],
            password=raw["password"] if isinstance(raw["password"], str) else "",
            confirmation=raw["password_confirmation"]
            if isinstance(raw["password_confirmation"], str) else "",
            ip=current_request().ip, user_agent=request.headers.get("user-agent"),
            replaces=request.cookies.get(auth.SESSION_COOKIE),
        )  # fmt: skip
    except TooManyRequests as exc:
        return await again(
            429, message=problem_of(exc)[1], headers={"Retry-After": str(exc.retry_after)}
        )
    except TenantryError as exc:
        # Answer normally, so the attempt recorded for the throttle is committed.
        errors, message = problem_of(exc)
        return await again(exc.status, errors=errors, message=message)
    response = redirect(_after(next_path))
    set_private_cookie(
        response, settings, auth.SESSION_COOKIE, signed_in.secret,
        max_age=settings.session_max_age_seconds,
    )  # fmt: skip
    REGISTER_FORM.clear(response)
    log.info("user signed up", user_id=str(signed_in.user.id))
    return response


def _defaults(visitor: Visitor, seller_country: str, currency: str) -> FormValues:
    assert visitor.user is not None
    domain = visitor.user.email.rpartition("@")[2].lower()
    return {
        "primary_contact.name": visitor.user.full_name,
        "primary_contact.email": visitor.user.email,
        "domain": "" if domain in PUBLIC_EMAIL_DOMAINS else domain,
        "address.country": seller_country,
        "preferred_currency": currency,
    }


async def _organization_page(
    request: Request,
    session: AsyncSession,
    visitor: Visitor,
    *,
    next_path: str,
    state: FormState | None = None,
    registration_key: str | None = None,
    status_code: int = 200,
) -> Response:
    seller = await storefront.current(request, session)
    config = await repository.platform_config(session, seller.platform_id)
    currencies = forms.currency_options(config)
    offered = [code for code, _ in currencies]
    currency = seller.preferred_currency if seller.preferred_currency in offered else offered[0]
    context = {
        "seller": seller,
        "form": state or FormState(_defaults(visitor, seller.address_country, currency)),
        "countries": forms.COUNTRY_OPTIONS,
        "industries": forms.INDUSTRY_OPTIONS,
        "currencies": currencies,
        "field_names": forms.FIELD_NAMES | {acceptance.TERMS_FIELD: "Terms of business"},
        "next_path": next_path,
        "registration_key": registration_key or service.new_form_key(),
        "terms": await versions.current(session, seller.platform_id, AgreementKind.PLATFORM_TERMS),
    }
    return render(request, "registration/organization.html", context, status_code=status_code)


@router.get("/register/organization")
async def organization_form(
    request: Request, session: DbSession, visitor: PageVisitor, next: str | None = None
) -> Response:
    next_path = safe_next(next, DEFAULT_AFTER_REGISTRATION)
    if visitor.user is None:
        return redirect(f"/register?next={quote(next_path, safe='/')}", status_code=302)
    return await _organization_page(request, session, visitor, next_path=next_path)


@router.post("/register/organization")
async def register_organization(
    request: Request, session: DbSession, settings: AppSettings, visitor: PageVisitor
) -> Response:
    form = await request.form()
    visitor.require_form_token(text(form, CSRF_FIELD))
    assert visitor.user is not None and visitor.auth_session is not None
    next_path = safe_next(text(form, "next"), DEFAULT_AFTER_REGISTRATION)
    key = text(form, "registration_key")
    values = values_of(form, ORGANIZATION_FIELDS)
    seller = await storefront.current(request, session)
    transport = getattr(request.app.state, "http_transport", None)
    accepted_terms = text(form, acceptance.TERMS_FIELD) == "yes"
    body = payload(values, groups=forms.GROUPS) | {"kind": "customer"}
    values[acceptance.TERMS_FIELD] = "yes" if accepted_terms else ""  # shown ticked again
    try:
        try:
            data = validate(service.Registration, body)
        except ValidationFailed as exc:  # the terms' box is reported with the other fields
            _, unticked = await acceptance.terms_at_registration(
                session, seller.platform_id, accepted_terms
            )
            raise ValidationFailed(exc.errors + unticked) from exc
        async with httpx.AsyncClient(transport=transport, timeout=LOOKUP_TIMEOUT_SECONDS) as http:
            outcome = await service.register(
                session, settings, http, registrant=visitor.user, seller=seller, data=data,
                form_key=key, accepted_terms=accepted_terms,
            )  # fmt: skip
    except TenantryError as exc:
        errors, message = problem_of(exc)
        return await _organization_page(
            request, session, visitor, next_path=next_path, state=FormState(values, errors, message),
            registration_key=key, status_code=exc.status,
        )  # fmt: skip
    if isinstance(outcome, service.PossibleDuplicate):
        # What matched, and whose it is, stays with the seller (its alert): a registrant may be
        # anyone, and learns only that the organization may be registered and whom to ask.
        context = {"seller": seller, "legal_name": data.legal_name, "email": visitor.user.email}
        return render(request, "registration/possible_duplicate.html", context, status_code=409)
    await sessions.enter_organization(session, visitor.auth_session, outcome.organization.id)
    return redirect(next_path)
