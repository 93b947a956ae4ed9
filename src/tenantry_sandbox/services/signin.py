"""Signing people in: OpenID Connect's authorization code flow with PKCE, as Entra ID runs it.

``/{tenant}/oauth2/v2.0/authorize`` checks the request (``authorization_request``), the person
picks an account and consents, and a one-time code is issued (``issue_code``). The token endpoint
redeems it with ``grant_type=authorization_code`` (``signin_tokens.token_response``): same client, same
``redirect_uri``, and the PKCE ``code_verifier`` when a challenge was sent. The answer carries an
RS256 ID token signed with the key the JWKS publishes.

Two clients are registered: the app of ``TENANTRY_SANDBOX_CLIENT_ID`` (redirect URIs from
``TENANTRY_SANDBOX_REDIRECT_URIS``; none configured accepts any http(s) URL) and the admin
center, a first-party app that signs Global Administrators in for the consent pages.

The tenant in the path decides who may sign in, as with Microsoft: ``common`` anyone,
``organizations`` work accounts, ``consumers`` personal accounts, a tenant id or domain only that
tenant's accounts.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox.clock import Clock
from tenantry_sandbox.services.accounts import CONSUMER_TENANT_ID, Account, tenant_of_name
from tenantry_sandbox.settings import SandboxSettings
from tenantry_sandbox.store.accounts import AuthorizationCode
from tenantry_sandbox.store.identity import token_hash
from tenantry_sandbox.tokens import ALGORITHM

# The Microsoft 365 admin center's own app id; it is preconsented, so it asks for no consent.
ADMIN_CENTER_CLIENT_ID = "00000006-0000-0ff1-ce00-000000000000"
MULTI_TENANT_PATHS = ("common", "organizations", "consumers")
CODE_LIFETIME = timedelta(minutes=10)
OIDC_SCOPES = ("openid", "profile", "email", "offline_access")
SCOPE_DESCRIPTIONS = {
    "openid": "Sign you in",
    "profile": "View your basic profile",
    "email": "View your email address",
    "offline_access": "Maintain access to data you have given it access to",
}


@dataclass(frozen=True)
class Client:
    client_id: str
    name: str
    redirect_uris: tuple[str, ...]  # empty: any absolute http(s) URL
    first_party: bool = False

    def accepts(self, uri: str) -> bool:
        if self.redirect_uris:
            return uri in self.redirect_uris
        parts = urlsplit(uri)
        return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.fragment


def admin_center_redirect_uri(settings: SandboxSettings) -> str:
    return f"{settings.issuer_base}/Adminportal/signin-oidc"


def clients(settings: SandboxSettings) -> dict[str, Client]:
    registered = (
        Client(settings.client_id, settings.client_name, tuple(settings.redirect_uris)),
        Client(
            ADMIN_CENTER_CLIENT_ID,
            "Microsoft 365 admin center",
            (admin_center_redirect_uri(settings),),
            first_party=True,
        ),
    )
    return {client.client_id: client for client in registered}


class PageError(Exception):
    """A request the sign-in page cannot send back to the client: shown on the page instead."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class RedirectError(Exception):
    """An error returned to the client's redirect URI (``error``, ``error_description``)."""

    def __init__(self, error: str, code: int, message: str, request: AuthorizationRequest) -> None:
        super().__init__(message)
        self.error, self.code, self.message, self.request = error, code, message, request

    def params(self) -> dict[str, str]:
        return {"error": self.error, "error_description": f"AADSTS{self.code}: {self.message}"}


@dataclass(frozen=True)
class Audience:
    """Who the tenant in the path admits."""

    path: str
    tenant_id: uuid.UUID | None = None
    personal: bool | None = None

    def refusal(self, account: Account) -> str | None:
        if self.personal is True and not account.personal:
            return "You can't sign in here with a work or school account. Use a personal account."
        if self.personal is False and account.personal:
            return (
                "You can't sign in here with a personal account. Use your work or school account."
            )
        if self.tenant_id is not None and account.tenant_id != self.tenant_id:
            return (
                f"User account '{account.username}' does not exist in tenant '{self.path}' and "
                "cannot access the application in that tenant."
            )
        return None

    @property
    def issuer_tenant(self) -> str:
        """The tenant the discovery document's issuer names (a template for multi-tenant)."""
        return "{tenantid}" if self.tenant_id is None else str(self.tenant_id)


async def audience_of(session: AsyncSession, path: str) -> Audience:
    lowered = path.strip().lower()
    if lowered in ("common", "organizations"):
        return Audience(lowered, personal=None if lowered == "common" else False)
    if lowered == "consumers" or lowered == str(CONSUMER_TENANT_ID):
        return Audience(lowered, CONSUMER_TENANT_ID, personal=True)
    tenant = await tenant_of_name(session, lowered)
    if tenant is None:
        raise PageError(
            90002,
            f"Tenant '{path}' not found. Check to make sure you have the correct tenant ID and "
            "are signing into the correct cloud.",
        )
    return Audience(lowered, tenant.id, personal=False)


@dataclass(frozen=True)
class AuthorizationRequest:
    audience: Audience
    client: Client
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    response_mode: str
    prompt: str | None
    login_hint: str | None

    def fields(self) -> dict[str, str]:
        """The request's parameters, repeated by the sign-in form when it posts back."""
        values = {
            "client_id": self.client.client_id,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": " ".join(self.scopes),
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": self.code_challenge,
            "code_challenge_method": self.code_challenge_method,
            "response_mode": self.response_mode,
        }
        return {key: value for key, value in values.items() if value is not None}

    def permissions(self) -> list[str]:
        return [SCOPE_DESCRIPTIONS.get(scope, scope) for scope in self.scopes]


async def authorization_request(
    session: AsyncSession, settings: SandboxSettings, tenant: str, params: Mapping[str, str]
) -> AuthorizationRequest:
    """Check an authorization request the way Entra ID does, in the same order.

    Problems with the client or redirect URI are shown on the page (``PageError``); everything
    else is sent back to the redirect URI (``RedirectError``).
    """
    audience = await audience_of(session, tenant)
    client = clients(settings).get(params.get("client_id", ""))
    if client is None:
        raise PageError(
            700016,
            f"Application with identifier '{params.get('client_id', '')}' was not found in the "
            f"directory '{tenant}'.",
        )
    redirect_uri = params.get("redirect_uri", "")
    if not client.accepts(redirect_uri):
        raise PageError(
            50011,
            f"The redirect URI '{redirect_uri}' specified in the request does not match the "
            f"redirect URIs configured for the application '{client.client_id}'.",
        )
    response_mode = params.get("response_mode") or "query"
    request = AuthorizationRequest(
        audience=audience,
        client=client,
        redirect_uri=redirect_uri,
        scopes=tuple(dict.fromkeys(params.get("scope", "").split())),
        state=params.get("state"),
        nonce=params.get("nonce") or None,
        code_challenge=params.get("code_challenge") or None,
        code_challenge_method=(params.get("code_challenge_method") or None),
        response_mode=response_mode
        if response_mode in ("query", "fragment", "form_post")
        else "query",
        prompt=params.get("prompt") or None,
        login_hint=params.get("login_hint") or None,
    )
    if params.get("response_type") != "code":
        raise RedirectError(
            "unsupported_response_type",
            700054,
            f"response_type '{params.get('response_type', '')}' is not enabled for the "
            "application; the sandbox supports 'code'.",
            request,
        )
    if not request.scopes:
        raise RedirectError(
            "invalid_request",
            900144,
            "The request body must contain the parameter: 'scope'.",
            request,
        )
    if request.code_challenge and (request.code_challenge_method or "plain") not in (
        "S256",
        "plain",
    ):
        raise RedirectError(
            "invalid_request", 501491, "Invalid code_challenge_method: use S256 or plain.", request
        )
    if request.prompt == "none":
        raise RedirectError(
            "login_required",
            50058,
            "A silent sign-in request was sent but no user is signed in.",
            request,
        )
    return request


async def issue_code(
    session: AsyncSession, clock: Clock, request: AuthorizationRequest, account: Account
) -> str:
    code = "0.A" + secrets.token_urlsafe(64)
    now = clock.now()
    session.add(
        AuthorizationCode(
            code_hash=token_hash(code),
            client_id=request.client.client_id,
            redirect_uri=request.redirect_uri,
            scope=" ".join(request.scopes),
            nonce=request.nonce,
            code_challenge=request.code_challenge,
            code_challenge_method=(request.code_challenge_method or "plain")
            if request.code_challenge
            else None,
            object_id=account.object_id,
            tenant_id=account.tenant_id,
            username=account.username,
            display_name=account.display_name,
            given_name=account.given_name,
            family_name=account.family_name,
            personal=account.personal,
            global_admin=account.global_admin,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    )
    await session.flush()
    return code


def discovery_document(settings: SandboxSettings, audience: Audience) -> dict[str, Any]:
    """``/{tenant}/v2.0/.well-known/openid-configuration``, with Entra ID's members."""
    base = settings.issuer_base
    path = audience.path
    return {
        "issuer": f"{base}/{audience.issuer_tenant}/v2.0",
        "authorization_endpoint": f"{base}/{path}/oauth2/v2.0/authorize",
        "token_endpoint": f"{base}/{path}/oauth2/v2.0/token",
        "jwks_uri": f"{base}/{path}/discovery/v2.0/keys",
        "userinfo_endpoint": f"{base}/graph/oidc/userinfo",
        "end_session_endpoint": f"{base}/{path}/oauth2/v2.0/logout",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "scopes_supported": list(OIDC_SCOPES),
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "code_challenge_methods_supported": ["S256", "plain"],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "nbf",
            "nonce",
            "name",
            "preferred_username",
            "email",
            "oid",
            "tid",
            "ver",
        ],
        "request_uri_parameter_supported": False,
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "tenant_region_scope": "NA",
        "cloud_instance_name": "microsoftonline.com",
        "msgraph_host": urlsplit(base).netloc,
    }
