"""Redeeming authorization codes: the token endpoint's side of signing people in.

A code is spent once, by the client it was issued to, with the same ``redirect_uri``, within ten
minutes, and with the PKCE ``code_verifier`` when the request carried a challenge (S256 or
plain). The answer carries an access token (for the resource the scopes name, else Microsoft
Graph with ``User.Read``), an RS256 ID token signed with the key the JWKS publishes, and a refresh
token when ``offline_access`` was asked for.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from joserfc import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox.auth import GRAPH_RESOURCE, RESOURCES, IdentityError
from tenantry_sandbox.clock import Clock
from tenantry_sandbox.services.accounts import Account, account_of
from tenantry_sandbox.services.identity import issue_refresh_token
from tenantry_sandbox.services.signin import OIDC_SCOPES, PageError, audience_of
from tenantry_sandbox.store.accounts import AuthorizationCode
from tenantry_sandbox.store.identity import token_hash
from tenantry_sandbox.tokens import ALGORITHM, SignedInUser, TokenService

if TYPE_CHECKING:
    from tenantry_sandbox.state import SandboxState

ID_TOKEN_LIFETIME_SECONDS = 3600
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


@dataclass(frozen=True)
class Redeemed:
    account: Account
    client_id: str
    scopes: tuple[str, ...]
    nonce: str | None


def _invalid_grant(code: int, message: str) -> IdentityError:
    return IdentityError(400, "invalid_grant", code, message)


def _pkce_matches(row: AuthorizationCode, verifier: str | None) -> bool:
    if row.code_challenge is None:
        return True
    if not verifier or not _VERIFIER.match(verifier):
        return False
    if row.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    else:
        computed = verifier
    return secrets.compare_digest(computed, row.code_challenge)


async def redeem(
    session: AsyncSession,
    clock: Clock,
    *,
    code: str,
    client_id: str,
    redirect_uri: str,
    code_verifier: str | None,
) -> Redeemed:
    """Spend a code once: same client and redirect URI, the PKCE verifier, within 10 minutes."""
    row = await session.get(AuthorizationCode, token_hash(code)) if code else None
    if row is None or row.client_id != client_id:
        raise _invalid_grant(9002313, "Invalid request. The authorization code is not valid.")
    now = clock.now()
    if row.redeemed_at is not None:
        raise _invalid_grant(54005, "OAuth2 Authorization code was already redeemed.")
    if row.expires_at <= now:
        raise _invalid_grant(70008, "The provided authorization code has expired.")
    if row.redirect_uri != redirect_uri:
        raise _invalid_grant(
            500117, "The reply uri specified in the request does not match the one of the code."
        )
    if not _pkce_matches(row, code_verifier):
        raise _invalid_grant(
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization "
            "request.",
        )
    row.redeemed_at = now
    await session.flush()
    return Redeemed(account_of(row), row.client_id, tuple(row.scope.split()), row.nonce)


def pairwise_subject(object_id: uuid.UUID, client_id: str) -> str:
    """``sub``: stable per person and app, different for each app, as Microsoft issues it."""
    digest = hashlib.sha256(f"{object_id}:{client_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def id_token(tokens: TokenService, redeemed: Redeemed, now: int) -> str:
    account = redeemed.account
    claims: dict[str, Any] = {
        "ver": "2.0",
        "iss": tokens.issuer(account.tenant_id),
        "sub": pairwise_subject(account.object_id, redeemed.client_id),
        "aud": redeemed.client_id,
        "exp": now + ID_TOKEN_LIFETIME_SECONDS,
        "iat": now,
        "nbf": now,
        "name": account.display_name,
        "preferred_username": account.username,
        "oid": str(account.object_id),
        "tid": str(account.tenant_id),
        "uti": secrets.token_urlsafe(16),
    }
    if redeemed.nonce is not None:
        claims["nonce"] = redeemed.nonce
    if "email" in redeemed.scopes:
        claims["email"] = account.username
    key = tokens.signing_key
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": str(key.kid)}
    return jwt.encode(header, claims, key)


def _resource(scopes: tuple[str, ...]) -> tuple[str, str]:
    """The access token's audience and ``scp``: a requested resource, else Graph's User.Read."""
    for scope in scopes:
        for resource in RESOURCES:
            if scope.lower().startswith(resource + "/"):
                return resource, scope[len(resource) + 1 :]
    return GRAPH_RESOURCE, "openid profile email User.Read"


async def token_response(
    form: Mapping[str, str],
    tenant: str,
    client_id: str,
    state: SandboxState,
    session: AsyncSession,
) -> dict[str, Any]:
    """The token endpoint's answer to ``grant_type=authorization_code``."""
    redeemed = await redeem(
        session,
        state.clock,
        code=form.get("code", ""),
        client_id=client_id,
        redirect_uri=form.get("redirect_uri", ""),
        code_verifier=form.get("code_verifier"),
    )
    try:
        audience = await audience_of(session, tenant)
    except PageError as exc:
        raise IdentityError(400, "invalid_request", exc.code, exc.message) from exc
    refusal = audience.refusal(redeemed.account)
    if refusal is not None:
        raise _invalid_grant(50020, refusal)
    account = redeemed.account
    user = SignedInUser(account.object_id, account.username)
    resource, scp = _resource(redeemed.scopes)
    access_token, lifetime = state.tokens.issue(
        tenant_id=account.tenant_id, client_id=client_id, audience=resource, user=user, scope=scp
    )
    granted = [s for s in redeemed.scopes if s in OIDC_SCOPES]
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "scope": " ".join(
            [*granted, *(f"{resource}/{s}" for s in scp.split() if s not in OIDC_SCOPES)]
        ),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token,
    }
    if "openid" in redeemed.scopes:
        body["id_token"] = id_token(state.tokens, redeemed, state.clock.timestamp())
    if "offline_access" in redeemed.scopes:
        body["refresh_token"] = await issue_refresh_token(
            session,
            settings=state.settings,
            clock=state.clock,
            tenant_id=account.tenant_id,
            user=user,
        )
    return body
