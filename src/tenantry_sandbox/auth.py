"""The Microsoft identity platform, as far as Partner Center clients use it.

- ``POST /{tenant}/oauth2/v2.0/token``: ``client_credentials`` gives an app-only token
  (``idtyp=app``); ``refresh_token`` gives an App+User token (``idtyp=user``) and a new refresh
  token. Errors use Entra ID's body (``error``, ``error_description`` with the AADSTS code,
  ``error_codes``, ``timestamp``, ``trace_id``, ``correlation_id``).
- ``authorization_code`` (people signing in) is handed to ``services.signin``; discovery and
  the sign-in pages live in ``routes.oidc``.
- ``GET /{tenant}/discovery/v2.0/keys``: the signing keys (JWKS).

Bearer tokens on Partner Center routes are checked by ``tenantry_sandbox.api``.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox.api import Session, State
from tenantry_sandbox.services.identity import issue_refresh_token
from tenantry_sandbox.settings import PARTNER_CENTER_RESOURCE
from tenantry_sandbox.state import SandboxState
from tenantry_sandbox.store import partners
from tenantry_sandbox.store.domains import Domain
from tenantry_sandbox.store.identity import RefreshToken, token_hash
from tenantry_sandbox.tokens import SignedInUser

router = APIRouter(tags=["identity"])

GRAPH_RESOURCE = "https://graph.microsoft.com"
RESOURCES = (PARTNER_CENTER_RESOURCE, GRAPH_RESOURCE)
MULTI_TENANT_ALIASES = frozenset({"common", "organizations"})
IGNORED_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})


class IdentityError(Exception):
    def __init__(self, status: int, error: str, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.code, self.message = status, error, code, message

    def response(self, state: SandboxState, request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "error": self.error,
                "error_description": f"AADSTS{self.code}: {self.message}",
                "error_codes": [self.code],
                "timestamp": state.clock.now().strftime("%Y-%m-%d %H:%M:%SZ"),
                "trace_id": str(uuid.uuid4()),
                "correlation_id": request.headers.get("client-request-id") or str(uuid.uuid4()),
                "error_uri": "https://login.microsoftonline.com/error?code=" + str(self.code),
            },
            status_code=self.status,
        )


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str | None]:
    """client_id/client_secret from the body or from HTTP Basic authentication."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise IdentityError(
                401, "invalid_client", 7000216, "The client credentials are malformed."
            ) from exc
        return user, password
    return form.get("client_id", ""), form.get("client_secret")


async def _tenant_of(session: AsyncSession, tenant: str) -> uuid.UUID | None:
    """A partner tenant by GUID or by one of its domains."""
    try:
        tenant_id = uuid.UUID(tenant)
    except ValueError:
        row = await session.get(Domain, tenant.lower())
        if row is None:
            return None
        tenant_id = row.tenant_id
    return tenant_id if await partners.get(session, tenant_id) is not None else None


def _resource_of(scopes: list[str], tenant: str) -> str:
    for scope in scopes:
        for resource in RESOURCES:
            if scope.lower().startswith(resource + "/"):
                return resource
    raise IdentityError(
        400,
        "invalid_resource",
        500011,
        f"The resource principal named {' '.join(scopes)} was not found in the tenant named "
        f"{tenant}.",
    )


async def _grant(
    request: Request, tenant: str, state: SandboxState, session: AsyncSession
) -> dict[str, Any]:
    form = {key: str(value) for key, value in (await request.form()).items()}
    settings = state.settings
    grant_type = form.get("grant_type")
    if not grant_type:
        raise IdentityError(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        )
    client_id, secret = _client_credentials(request, form)
    if client_id != settings.client_id:
        raise IdentityError(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the directory '{tenant}'.",
        )
    if not secret:
        raise IdentityError(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or "
            "'client_secret'.",
        )
    if secret != settings.client_secret:
        raise IdentityError(401, "invalid_client", 7000215, "Invalid client secret provided.")
    if grant_type == "authorization_code":
        # People signing in (OpenID Connect); imported here because it builds on this module.
        from tenantry_sandbox.services.signin_tokens import token_response

        return await token_response(form, tenant, client_id, state, session)
    scopes = [s for s in form.get("scope", "").split() if s.lower() not in IGNORED_SCOPES]
    tenant_id = (
        None if tenant.lower() in MULTI_TENANT_ALIASES else await _tenant_of(session, tenant)
    )
    if tenant_id is None and not (
        grant_type == "refresh_token" and tenant.lower() in MULTI_TENANT_ALIASES
    ):
        raise IdentityError(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
    if grant_type == "client_credentials":
        assert tenant_id is not None
        if not scopes or not all(s.endswith("/.default") for s in scopes):
            raise IdentityError(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {' '.join(scopes)} is not valid. Client credential "
                "flows must have a scope value with /.default suffixed to the resource identifier.",
            )
        token, lifetime = state.tokens.issue(
            tenant_id=tenant_id,
            client_id=client_id,
            audience=_resource_of(scopes, tenant),
            user=None,
        )
        return {
            "token_type": "Bearer",
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": token,
        }
    if grant_type == "refresh_token":
        return await _refresh(form, tenant_id, scopes, client_id, state, session, tenant)
    raise IdentityError(
        400,
        "unsupported_grant_type",
        70003,
        f"The app requested an unsupported grant type '{grant_type}'.",
    )


async def _refresh(
    form: dict[str, str],
    tenant_id: uuid.UUID | None,
    scopes: list[str],
    client_id: str,
    state: SandboxState,
    session: AsyncSession,
    tenant: str,
) -> dict[str, Any]:
    presented = form.get("refresh_token", "")
    row = await session.get(RefreshToken, token_hash(presented)) if presented else None
    if row is None or row.client_id != client_id:
        raise IdentityError(
            400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."
        )
    if row.expires_at <= state.clock.now():
        raise IdentityError(
            400, "invalid_grant", 700082, "The refresh token has expired due to inactivity."
        )
    if tenant_id is not None and tenant_id != row.tenant_id:
        raise IdentityError(400, "invalid_grant", 70000, "Provided grant is invalid or malformed.")
    resource = _resource_of(scopes, tenant) if scopes else PARTNER_CENTER_RESOURCE
    user = SignedInUser(row.user_id, row.user_principal_name)
    token, lifetime = state.tokens.issue(
        tenant_id=row.tenant_id,
        client_id=client_id,
        audience=resource,
        user=user,
        scope="user_impersonation",
    )
    rotated = await issue_refresh_token(
        session, settings=state.settings, clock=state.clock, tenant_id=row.tenant_id, user=user
    )
    return {
        "token_type": "Bearer",
        "scope": f"{resource}/user_impersonation",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": token,
        "refresh_token": rotated,
    }


@router.post("/{tenant}/oauth2/v2.0/token", summary="Get an access token (Entra ID v2.0)")
async def token(tenant: str, request: Request, state: State, session: Session) -> JSONResponse:
    try:
        body = await _grant(request, tenant, state, session)
    except IdentityError as exc:
        return exc.response(state, request)
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@router.get("/{tenant}/discovery/v2.0/keys", summary="Token signing keys (JWKS)")
async def keys(tenant: str, state: State) -> dict[str, Any]:
    return state.tokens.public_jwks()
