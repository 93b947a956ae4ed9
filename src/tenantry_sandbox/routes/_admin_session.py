"""The admin center's sign-in: a relying party of the sandbox's own identity platform.

A page that needs a signed-in person redirects to ``/organizations/oauth2/v2.0/authorize`` as the
admin center's first-party app, with PKCE (S256), a nonce and a state kept in a short-lived signed
cookie. ``/AdminPortal/signin-oidc`` redeems the code (in process, through the same
``services.signin_tokens.redeem`` the token endpoint uses), checks state and nonce, and keeps who signed
in, with a CSRF token for the page's forms, in a signed session cookie.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox.auth import IdentityError
from tenantry_sandbox.routes._pages import message
from tenantry_sandbox.services.signin import ADMIN_CENTER_CLIENT_ID, admin_center_redirect_uri
from tenantry_sandbox.services.signin_tokens import redeem
from tenantry_sandbox.settings import SandboxSettings
from tenantry_sandbox.state import SandboxState

SESSION_COOKIE = "sandbox_admin_session"
SIGNIN_COOKIE = "sandbox_admin_signin"
SESSION_MAX_AGE = 8 * 3600
SIGNIN_MAX_AGE = 600
HOME = "/AdminPortal/Home"


@dataclass(frozen=True)
class AdminSession:
    object_id: uuid.UUID
    tenant_id: uuid.UUID
    username: str
    display_name: str
    global_admin: bool
    csrf: str


def _serializer(settings: SandboxSettings, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=f"admin-center-{purpose}")


def _load(
    request: Request, settings: SandboxSettings, cookie: str, max_age: int
) -> dict[str, Any] | None:
    raw = request.cookies.get(cookie)
    if not raw:
        return None
    try:
        data = _serializer(settings, cookie).loads(raw, max_age=max_age)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


def current_admin(request: Request, settings: SandboxSettings) -> AdminSession | None:
    data = _load(request, settings, SESSION_COOKIE, SESSION_MAX_AGE)
    if data is None:
        return None
    return AdminSession(
        object_id=uuid.UUID(data["oid"]),
        tenant_id=uuid.UUID(data["tid"]),
        username=str(data["username"]),
        display_name=str(data["name"]),
        global_admin=bool(data["admin"]),
        csrf=str(data["csrf"]),
    )


def _safe_return(path: str) -> str:
    """Only paths on this host: never an open redirect."""
    return path if path.startswith("/") and not path.startswith("//") else HOME


def start_sign_in(request: Request, settings: SandboxSettings) -> Response:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode()
    nonce, state = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    return_to = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    params = {
        "client_id": ADMIN_CENTER_CLIENT_ID,
        "response_type": "code",
        "redirect_uri": admin_center_redirect_uri(settings),
        "scope": "openid profile email",
        "response_mode": "query",
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge.rstrip("="),
        "code_challenge_method": "S256",
        "prompt": "select_account",
    }
    response = RedirectResponse(f"/organizations/oauth2/v2.0/authorize?{urlencode(params)}", 302)
    cookie = {"verifier": verifier, "nonce": nonce, "state": state, "return_to": return_to}
    response.set_cookie(
        SIGNIN_COOKIE,
        _serializer(settings, SIGNIN_COOKIE).dumps(cookie),
        max_age=SIGNIN_MAX_AGE,
        httponly=True,
        samesite="lax",
    )
    return response


async def complete_sign_in(
    request: Request, state: SandboxState, session: AsyncSession
) -> Response:
    """``/AdminPortal/signin-oidc``: redeem the code and start the admin center session."""
    settings = state.settings
    query = request.query_params
    if query.get("error"):
        return message(
            request,
            "Sign-in was cancelled",
            query.get("error_description", ""),
            status_code=400,
            chrome="admin",
            links=[("Try again", HOME)],
        )
    pending = _load(request, settings, SIGNIN_COOKIE, SIGNIN_MAX_AGE)
    if pending is None or not secrets.compare_digest(str(pending["state"]), query.get("state", "")):
        raise IdentityError(
            400, "invalid_request", 90014, "The sign-in attempt expired or is not ours."
        )
    redeemed = await redeem(
        session,
        state.clock,
        code=query.get("code", ""),
        client_id=ADMIN_CENTER_CLIENT_ID,
        redirect_uri=admin_center_redirect_uri(settings),
        code_verifier=str(pending["verifier"]),
    )
    if redeemed.nonce != pending["nonce"]:
        raise IdentityError(400, "invalid_request", 90014, "The ID token's nonce does not match.")
    account = redeemed.account
    data = {
        "oid": str(account.object_id),
        "tid": str(account.tenant_id),
        "username": account.username,
        "name": account.display_name,
        "admin": account.global_admin,
        "csrf": secrets.token_urlsafe(24),
    }
    response = RedirectResponse(_safe_return(str(pending["return_to"])), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        _serializer(settings, SESSION_COOKIE).dumps(data),
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
    )
    response.delete_cookie(SIGNIN_COOKIE)
    return response


def sign_out(request: Request) -> Response:
    response = message(
        request,
        "You signed out of the admin center",
        "Open the invitation link again to sign in with another account.",
        chrome="admin",
    )
    response.delete_cookie(SESSION_COOKIE)
    return response
