"""Pages of signing in with a Microsoft account (the protocol is ``identity.microsoft``).

- ``GET /sign-in/microsoft?account=personal|work&next=``: off to Microsoft. A link, not a form:
  the pages' Content-Security-Policy (``form-action 'self'``) stops a form from leading to
  another site.
- ``GET /sign-in/microsoft/callback``: back from Microsoft: signed in (to ``next``, or to register
  an organization for a person who has none yet), signed up, or a page saying why not and what to
  do instead.
- ``POST /sign-in/microsoft/add``: when the Microsoft account's address has an account already,
  that account's password, which adds the Microsoft account to it and signs the person in.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

import structlog
from fastapi import Request, Response
from starlette.datastructures import QueryParams

from tenantry.context import current_request
from tenantry.deps import DbSession
from tenantry.errors import Forbidden, NotFound, TooManyRequests, Unauthorized
from tenantry.identity import auth
from tenantry.identity.microsoft import accounts as microsoft_accounts
from tenantry.identity.microsoft.accounts import AccountExists, WorkDomainNotAllowed
from tenantry.identity.microsoft.oidc import (
    PENDING_COOKIE,
    AccountKind,
    MicrosoftAccount,
    MicrosoftSignIn,
    PendingSignIn,
    SignedCookie,
    SignInFailed,
    keep_pending,
    open_pending,
)
from tenantry.identity.on_behalf import service as on_behalf
from tenantry.identity.sign_in import sessions, throttle
from tenantry.models import Organization, User
from tenantry.registration import storefront
from tenantry.settings import Settings
from tenantry.web.forms import CSRF_FIELD, DEFAULT_NEXT, safe_next, sentence, text, tokens_match
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import page_router
from tenantry.web.signed_forms import set_private_cookie

router = page_router()
log = structlog.get_logger("tenantry.identity.microsoft")

ADD_COOKIE = SignedCookie(
    "tenantry_microsoft_add", "tenantry.microsoft-add", "/sign-in/microsoft", 10 * 60
)
EXPIRED = (
    "This sign-in has expired or was started in another window, so you are not signed in. "
    "Please start again."
)
Links = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class PendingAddition:
    """A proven Microsoft account waiting for the password of the account with its address."""

    account: MicrosoftAccount
    next_path: str
    form_token: str

    def as_cookie(self) -> dict[str, Any]:
        return {"account": asdict(self.account), "next": self.next_path, "token": self.form_token}

    @classmethod
    def from_cookie(cls, value: Mapping[str, Any] | None) -> PendingAddition | None:
        if not value:
            return None
        try:
            fields = dict(value["account"])
            account = MicrosoftAccount(**{**fields, "kind": AccountKind(fields["kind"])})
            return cls(account, safe_next(str(value["next"])), str(value["token"]))
        except (KeyError, TypeError, ValueError):
            return None


def _service(request: Request) -> MicrosoftSignIn:
    service: MicrosoftSignIn = request.app.state.microsoft
    if not service.offered:
        raise NotFound("signing in with Microsoft is not available here")
    return service


def start_link(kind: AccountKind, next_path: str) -> str:
    return "/sign-in/microsoft?" + urlencode({"account": kind.value, "next": next_path})


def sign_in_page(next_path: str) -> str:
    return "/sign-in?" + urlencode({"next": next_path})


def _sign_in_links(next_path: str) -> list[tuple[str, str]]:
    return [
        *((start_link(kind, next_path), kind.button) for kind in AccountKind),
        (sign_in_page(next_path), "Sign in with your email address and password"),
    ]


def _problem(
    request: Request,
    title: str,
    message: str,
    *,
    status_code: int,
    links: Links = (),
    notes: Sequence[str] = (),
) -> Response:
    """A page saying why the person is not signed in, and what they can do instead."""
    context = {"title": title, "message": message, "links": links, "notes": notes}
    return render(request, "identity/microsoft_problem.html", context, status_code=status_code)


@router.get("/sign-in/microsoft")
async def start(request: Request, account: AccountKind, next: str | None = None) -> Response:
    service = _service(request)
    pending = PendingSignIn.start(account, safe_next(next))
    response = redirect(service.authorization_url(pending), status_code=302)
    keep_pending(response, service.settings, pending)
    return response


@router.get("/sign-in/microsoft/callback")
async def callback(request: Request, session: DbSession) -> Response:
    service = _service(request)
    query = request.query_params
    pending = open_pending(service.settings, request.cookies.get(PENDING_COOKIE.name))
    ours = pending is not None and tokens_match(pending.state, query.get("state"))
    if query.get("error"):
        response = _declined(request, query, pending if ours else None)
    elif pending is None or not ours:
        log.info("microsoft sign-in refused", reason="state missing or not this browser's")
        response = _problem(
            request, "You are not signed in", EXPIRED, status_code=400,
            links=_sign_in_links(pending.next_path if pending else DEFAULT_NEXT),
        )  # fmt: skip
    else:
        response = await _finish(request, session, service, pending, query.get("code", ""))
    PENDING_COOKIE.clear(response)
    return response


def _declined(request: Request, query: QueryParams, pending: PendingSignIn | None) -> Response:
    """Microsoft sent an error back: the person cancelled, or Microsoft refused."""
    error = query.get("error", "")
    log.info("microsoft sign-in declined", error=error)
    links = _sign_in_links(pending.next_path if pending else DEFAULT_NEXT)
    if error == "access_denied":
        return _problem(
            request, "You are not signed in",
            "Signing in with Microsoft was cancelled, so you are not signed in. You can try "
            "again, or sign in another way.",
            status_code=400, links=links,
        )  # fmt: skip
    # Microsoft's own words only for a sign-in this browser started (others are anyone's text).
    detail = query.get("error_description", "") if pending else ""
    message = "Microsoft could not sign you in."
    return _problem(
        request, "You are not signed in", message + (f" Microsoft said: {detail}" if detail else ""),
        status_code=400, links=links,
    )  # fmt: skip


async def _seller(request: Request, session: DbSession) -> Organization | None:
    try:
        return await storefront.current(request, session)
    except NotFound:
        return None


async def _finish(
    request: Request,
    session: DbSession,
    service: MicrosoftSignIn,
    pending: PendingSignIn,
    code: str,
) -> Response:
    try:
        if not code:
            raise SignInFailed(EXPIRED, reason="no code in the answer")
        transport = getattr(request.app.state, "http_transport", None)
        account = await service.redeem(pending, code, transport=transport)
    except SignInFailed as exc:
        log.warning("microsoft sign-in failed", reason=exc.reason)
        return _problem(
            request, "You are not signed in", exc.message, status_code=exc.status,
            links=_sign_in_links(pending.next_path),
        )  # fmt: skip
    seller = await _seller(request, session)
    try:
        user = await microsoft_accounts.sign_in_or_up(session, account, seller=seller)
    except AccountExists as exc:
        return _account_exists(request, service.settings, exc, pending.next_path)
    except WorkDomainNotAllowed as exc:
        return _domain_refused(request, exc, pending.next_path)
    except Forbidden as exc:
        return _problem(request, "You cannot sign in", sentence(exc.detail), status_code=403)
    return await _signed_in(
        request, session, service.settings, user, account.kind, pending.next_path
    )


async def _signed_in(
    request: Request,
    session: DbSession,
    settings: Settings,
    user: User,
    kind: AccountKind,
    next_path: str,
) -> Response:
    """Open the session (as the password sign-in does) and go on."""
    try:
        signed_in = await sessions.open_session(
            session, settings, user, method=kind.method, ip=current_request().ip,
            user_agent=request.headers.get("user-agent"),
            replaces=request.cookies.get(auth.SESSION_COOKIE),
        )  # fmt: skip
    except Forbidden as exc:
        return _problem(
            request, "You cannot sign in", sentence(exc.detail), status_code=403,
            links=_sign_in_links(next_path),
        )  # fmt: skip
    response = redirect(signed_in.landing(next_path))
    set_private_cookie(
        response, settings, auth.SESSION_COOKIE, signed_in.secret,
        max_age=settings.session_max_age_seconds,
    )  # fmt: skip
    return response


def _account_exists(
    request: Request, settings: Settings, exc: AccountExists, next_path: str
) -> Response:
    account = exc.account
    if exc.has_password:
        addition = PendingAddition(account, next_path, secrets.token_urlsafe(32))
        response = _add_form(request, addition, status_code=409)
        ADD_COOKIE.attach(response, settings, addition.as_cookie())
        return response
    if exc.methods:
        kinds = [kind for kind in AccountKind if kind.method in exc.methods]
        ways = " or ".join(f"'{kind.button}'" for kind in kinds)
        message = (
            f"An account with the email address {account.email} exists already, and it signs "
            f"in with a Microsoft account of another kind. Use {ways}."
        )
        links = [(start_link(kind, next_path), kind.button) for kind in kinds]
    else:
        message = (
            f"An account with the email address {account.email} exists already, but it has no "
            "password yet. Set one with 'Forgot your password?', then sign in with Microsoft "
            "again: you will be asked for it once, to add your Microsoft account to yours."
        )
        links = [("/forgot-password", "Set a password")]
    return _problem(request, "You have an account already", message, status_code=409, links=links)


def _add_form(
    request: Request,
    addition: PendingAddition,
    *,
    status_code: int,
    errors: Mapping[str, str] | None = None,
    message: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    context = {
        "account": addition.account,
        "form_token": addition.form_token,
        "errors": errors or {},
        "message": message,
        "cancel": sign_in_page(addition.next_path),
    }
    return render(
        request, "identity/microsoft_add.html", context, status_code=status_code, headers=headers
    )


def _domain_refused(request: Request, exc: WorkDomainNotAllowed, next_path: str) -> Response:
    seller, domain = exc.seller, exc.account.domain
    personal = (start_link(AccountKind.PERSONAL, next_path), AccountKind.PERSONAL.button)
    if seller is None:
        return _problem(
            request, "This work account cannot be used here",
            f"Work accounts from {domain} cannot be used to register here. Open the link your "
            "seller gave you and sign up from there, or use a personal Microsoft account.",
            status_code=403, links=[personal],
        )  # fmt: skip
    name = seller.display_name
    return _problem(
        request, "This work account cannot be used here",
        f"Work accounts from {domain} cannot be used to register at {name}: {name} accepts "
        "work accounts only from the organizations it has agreed this with. You can do one of "
        "these instead:",
        status_code=403,
        links=[
            (storefront.path_of(seller), "Register with your email address and a password"),
            personal,
        ],
        notes=[f"Or ask {name} to allow work accounts from {domain}, then sign in again."],
    )  # fmt: skip


@router.post("/sign-in/microsoft/add")
async def add_account(request: Request, session: DbSession) -> Response:
    service = _service(request)
    settings = service.settings
    form = await request.form()
    addition = PendingAddition.from_cookie(
        ADD_COOKIE.open(settings, request.cookies.get(ADD_COOKIE.name))
    )
    if addition is None or not tokens_match(addition.form_token, text(form, CSRF_FIELD)):
        return _problem(
            request, "You are not signed in", EXPIRED, status_code=403,
            links=_sign_in_links(addition.next_path if addition else DEFAULT_NEXT),
        )  # fmt: skip
    password = form.get("password")
    if not isinstance(password, str) or not password:
        return _add_form(
            request, addition, status_code=422, errors={"password": "Enter your password."}
        )
    account = addition.account
    # Adding a way to sign in is a credential change: not from a browser acting for a customer.
    cookie = request.cookies.get(auth.SESSION_COOKIE)
    current = await auth.load_session(session, cookie) if cookie else None
    await on_behalf.refuse_credential_change_in(session, current)
    trusted = request.cookies.get(throttle.TRUSTED_BROWSER_COOKIE)
    try:
        user = await sessions.check_password(
            session, settings, email=account.email, password=password, ip=current_request().ip,
            trusted_browser=throttle.is_trusted_browser(settings, trusted, account.email),
        )  # fmt: skip
    except TooManyRequests as exc:
        return _add_form(
            request, addition, status_code=429, message=sentence(exc.detail),
            headers={"Retry-After": str(exc.retry_after)},
        )  # fmt: skip
    except Unauthorized:
        # The failure just recorded must be kept: answer normally so the transaction commits.
        return _add_form(
            request, addition, status_code=401, errors={"password": "This password is not right."}
        )
    await microsoft_accounts.add_to(session, user, account)
    response = await _signed_in(request, session, settings, user, account.kind, addition.next_path)
    ADD_COOKIE.clear(response)
    return response
