"""Signing people in (OpenID Connect), and the sandbox accounts they sign in with.

- ``GET /.well-known/openid-configuration`` and ``/{tenant}/v2.0/.well-known/openid-configuration``
  (``common``, ``organizations``, ``consumers``, a tenant id or domain): discovery;
- ``GET /{tenant}/oauth2/v2.0/authorize``: the sign-in page (pick or type an account, consent);
  ``POST`` the same path: issue the code and send the browser back to the client;
- ``GET /{tenant}/oauth2/v2.0/logout``: sign-out, back to ``post_logout_redirect_uri``;
- ``GET /graph/oidc/userinfo``: the signed-in person's claims, for a Graph access token;
- ``/_sandbox/accounts``: list, add and remove sign-in accounts (control API).

The code is redeemed at the token endpoint (``tenantry_sandbox.auth``), which hands
``grant_type=authorization_code`` to ``services.signin_tokens.token_response``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import Field

from tenantry_sandbox import errors
from tenantry_sandbox.api import Session, State
from tenantry_sandbox.auth import GRAPH_RESOURCE
from tenantry_sandbox.binding import RequestModel
from tenantry_sandbox.routes._pages import message, page
from tenantry_sandbox.services import accounts
from tenantry_sandbox.services.accounts import Account
from tenantry_sandbox.services.gdap import GraphError
from tenantry_sandbox.services.signin import (
    AuthorizationRequest,
    PageError,
    RedirectError,
    audience_of,
    authorization_request,
    clients,
    discovery_document,
    issue_code,
)
from tenantry_sandbox.services.signin_tokens import pairwise_subject
from tenantry_sandbox.tokens import InvalidToken

router = APIRouter(tags=["sign-in"])
control = APIRouter(prefix="/_sandbox/accounts", tags=["sandbox control"])


async def _discovery(tenant: str, state: State, session: Session) -> Response:
    try:
        audience = await audience_of(session, tenant)
    except PageError as exc:
        return JSONResponse(
            {"error": "invalid_tenant", "error_description": f"AADSTS{exc.code}: {exc.message}"},
            status_code=400,
        )
    return JSONResponse(discovery_document(state.settings, audience))


@router.get("/.well-known/openid-configuration", summary="OpenID Connect discovery (common)")
async def openid_configuration(state: State, session: Session) -> Response:
    return await _discovery("common", state, session)


@router.get("/{tenant}/v2.0/.well-known/openid-configuration", summary="Tenant discovery")
async def tenant_openid_configuration(tenant: str, state: State, session: Session) -> Response:
    return await _discovery(tenant, state, session)


def _back_to_client(
    request: Request, auth: AuthorizationRequest, params: dict[str, str]
) -> Response:
    """Send the answer to the redirect URI in the requested response mode."""
    if auth.state is not None:
        params = {**params, "state": auth.state}
    if auth.response_mode == "form_post":
        return page(request, "form_post.html", action=auth.redirect_uri, fields=params)
    separator = (
        "#" if auth.response_mode == "fragment" else ("&" if "?" in auth.redirect_uri else "?")
    )
    return RedirectResponse(f"{auth.redirect_uri}{separator}{urlencode(params)}", status_code=302)


async def _sign_in_page(
    request: Request,
    auth: AuthorizationRequest,
    state: State,
    session: Session,
    *,
    error: str | None = None,
    typed: str | None = None,
) -> Response:
    audience = auth.audience
    offered = await accounts.suggestions(
        session, state.settings, tenant_id=audience.tenant_id, personal=audience.personal
    )
    hinted = await accounts.find(session, state.settings, auth.login_hint or "")
    if hinted is not None and audience.refusal(hinted) is None:
        offered = [hinted, *(a for a in offered if a.username != hinted.username)]
    return page(
        request,
        "signin.html",
        status_code=400 if error else 200,
        request_=auth,
        accounts=[a for a in offered if audience.refusal(a) is None],
        selected=hinted.username if hinted else None,
        typed=typed,
        error=error,
        chrome="signin",
    )


async def _authorization(
    request: Request, tenant: str, params: dict[str, str], state: State, session: Session
) -> AuthorizationRequest | Response:
    try:
        return await authorization_request(session, state.settings, tenant, params)
    except PageError as exc:
        return message(
            request,
            "Sorry, but we're having trouble signing you in.",
            f"AADSTS{exc.code}: {exc.message}",
            status_code=400,
        )
    except RedirectError as exc:
        return _back_to_client(request, exc.request, exc.params())


@router.get("/{tenant}/oauth2/v2.0/authorize", summary="Sign-in page", include_in_schema=False)
async def authorize(tenant: str, request: Request, state: State, session: Session) -> Response:
    auth = await _authorization(request, tenant, dict(request.query_params), state, session)
    if isinstance(auth, Response):
        return auth
    return await _sign_in_page(request, auth, state, session)


@router.post(
    "/{tenant}/oauth2/v2.0/authorize", summary="Sign in and consent", include_in_schema=False
)
async def authorize_submit(
    tenant: str, request: Request, state: State, session: Session
) -> Response:
    form = {key: str(value) for key, value in (await request.form()).items()}
    auth = await _authorization(request, tenant, form, state, session)
    if isinstance(auth, Response):
        return auth
    if form.get("action") == "cancel":
        declined = RedirectError(
            "access_denied", 65004, "User declined to consent to access the app.", auth
        )
        return _back_to_client(request, auth, declined.params())
    username = (form.get("username") or form.get("account") or "").strip()
    if not username:
        return await _sign_in_page(
            request,
            auth,
            state,
            session,
            error="Enter a valid email address, phone number, or Skype name.",
        )
    account = await accounts.find(session, state.settings, username)
    if account is None:
        return await _sign_in_page(
            request,
            auth,
            state,
            session,
            typed=username,
            error="This username may be incorrect. Make sure you typed it correctly. "
            "(AADSTS50034: the account does not exist in this sandbox.)",
        )
    refusal = auth.audience.refusal(account)
    if refusal is not None:
        return await _sign_in_page(request, auth, state, session, typed=username, error=refusal)
    code = await issue_code(session, state.clock, auth, account)
    return _back_to_client(request, auth, {"code": code})


@router.get("/{tenant}/oauth2/v2.0/logout", summary="Sign out", include_in_schema=False)
async def logout(
    tenant: str,
    request: Request,
    state: State,
    post_logout_redirect_uri: str | None = None,
    state_: Annotated[str | None, Query(alias="state")] = None,
) -> Response:
    target = post_logout_redirect_uri or ""
    if target and any(client.accepts(target) for client in clients(state.settings).values()):
        suffix = ("&" if "?" in target else "?") + urlencode({"state": state_}) if state_ else ""
        return RedirectResponse(target + suffix, status_code=302)
    return message(
        request, "You signed out of your account", "It's a good idea to close all browser windows."
    )


@router.get("/graph/oidc/userinfo", summary="The signed-in person's claims")
async def userinfo(request: Request, state: State, session: Session) -> Response:
    now = state.clock.now()
    client_request_id = request.headers.get("client-request-id")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    try:
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidToken("Access token is empty.")
        caller = await state.tokens.verify(token.strip(), state.db.sessionmaker, GRAPH_RESOURCE)
    except InvalidToken as exc:
        return GraphError(401, "InvalidAuthenticationToken", str(exc)).response(
            client_request_id, now
        )
    account = await accounts.by_object_id(session, state.settings, caller.object_id)
    if caller.app_only or account is None:
        return GraphError(
            401, "InvalidAuthenticationToken", "The token names no signed-in user."
        ).response(client_request_id, now)
    return JSONResponse(
        {
            "sub": pairwise_subject(account.object_id, caller.app_id),
            "name": account.display_name,
            "family_name": account.family_name,
            "given_name": account.given_name,
            "email": account.username,
        }
    )


class AccountCreate(RequestModel):
    username: str = Field(min_length=3, max_length=256)
    display_name: str | None = Field(default=None, max_length=256)
    given_name: str | None = Field(default=None, max_length=64)
    family_name: str | None = Field(default=None, max_length=64)
    # No tenant: a personal Microsoft account. A tenant: a work account there.
    tenant_id: uuid.UUID | None = None
    global_admin: bool = False


def _account_out(account: Account) -> dict[str, Any]:
    return {
        "objectId": str(account.object_id),
        "tenantId": str(account.tenant_id),
        "username": account.username,
        "displayName": account.display_name,
        "givenName": account.given_name,
        "familyName": account.family_name,
        "personal": account.personal,
        "globalAdmin": account.global_admin,
    }


@control.get("", summary="Sign-in accounts (managed ones, and a tenant's directory users)")
async def list_accounts(
    state: State,
    session: Session,
    tenant_id: Annotated[uuid.UUID | None, Query(alias="tenantId")] = None,
    personal: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    found = await accounts.suggestions(
        session, state.settings, tenant_id=tenant_id, personal=personal, limit=limit
    )
    return {"items": [_account_out(a) for a in found], "totalCount": len(found)}


@control.get("/{username}", summary="One account by username")
async def get_account(username: str, state: State, session: Session) -> dict[str, Any]:
    account = await accounts.find(session, state.settings, username)
    if account is None:
        raise errors.not_found(f"No account {username}.")
    return _account_out(account)


@control.post("", status_code=201, summary="Add a personal or work account")
async def create_account(body: AccountCreate, state: State, session: Session) -> dict[str, Any]:
    account = await accounts.create(
        session,
        state.settings,
        username=body.username,
        display_name=body.display_name,
        given_name=body.given_name,
        family_name=body.family_name,
        tenant_id=body.tenant_id,
        global_admin=body.global_admin,
    )
    return _account_out(account)


@control.delete("/{username}", status_code=204, summary="Remove a managed account")
async def delete_account(username: str, session: Session) -> Response:
    if not await accounts.delete(session, username):
        raise errors.not_found(f"No managed account {username}.")
    return Response(status_code=204)


router.include_router(control)
