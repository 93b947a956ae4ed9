"""Access tokens from the Microsoft identity platform (v2 token endpoint).

Two kinds (see :mod:`tenantry.partnercenter.credentials`): app-only from the client credentials
grant, and app+user from the refresh token grant of the secure application model. Tokens are
cached per kind and scope until shortly before they expire; a 401 from the API drops the cached
token so the next attempt fetches a new one.

Microsoft Entra may rotate the refresh token on every grant. The newest one is kept in memory for
later grants and handed to ``on_refresh_token`` so the application can persist it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError

from tenantry.partnercenter.config import PartnerCenterConfig
from tenantry.partnercenter.credentials import AuthRequirement, Credential, TokenKind
from tenantry.partnercenter.errors import (
    TOKEN_RULES,
    PartnerCenterConfigurationError,
    UnexpectedResponse,
)
from tenantry.partnercenter.pipeline import Clock, OutgoingRequest, RequestExecutor

RefreshTokenSink = Callable[[str], Awaitable[None]]


class TokenResponse(BaseModel):
    """The token endpoint's answer (OAuth 2.0 names, snake_case)."""

    model_config = ConfigDict(extra="ignore")

    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = 3599
    refresh_token: str | None = None


@dataclass(frozen=True, slots=True)
class _CachedToken:
    value: str
    renew_at: float


class TokenCache:
    """Access tokens kept for every client made by one owner (``partnercenter.access``), keyed by
    the token endpoint, the partner's tenant and app, and the credential.

    Why: a job run makes a client of its own, and each would otherwise ask the token endpoint
    again (in bench/orders.py, 150 of provisioning's 400 calls). Only the values are shared:
    each client keeps its own locks, since the job consumer's threads run their own event loops;
    two clients missing the cache at once each fetch one, which is harmless.
    """

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, str, Credential], _CachedToken] = {}

    def get(self, key: tuple[str, str, str, Credential]) -> _CachedToken | None:
        return self._tokens.get(key)

    def put(self, key: tuple[str, str, str, Credential], token: _CachedToken) -> None:
        self._tokens[key] = token

    def forget(self, key: tuple[str, str, str, Credential], value: str) -> None:
        """Drop ``value`` unless a newer token replaced it meanwhile."""
        cached = self._tokens.get(key)
        if cached is not None and cached.value == value:
            self._tokens.pop(key, None)


class TokenProvider:
    def __init__(
        self,
        config: PartnerCenterConfig,
        executor: RequestExecutor,
        *,
        clock: Clock = time.monotonic,
        on_refresh_token: RefreshTokenSink | None = None,
        cache: TokenCache | None = None,
    ) -> None:
        self._config = config
        self._executor = executor
        self._clock = clock
        self._on_refresh_token = on_refresh_token
        self._refresh_token = config.refresh_token
        self._cache = cache or TokenCache()
        self._locks: dict[Credential, asyncio.Lock] = {}

    @property
    def refresh_token(self) -> str:
        """The newest refresh token (Microsoft Entra may have rotated the configured one)."""
        return self._refresh_token

    def credential_for(self, requirement: AuthRequirement, scope: str) -> Credential:
        """Pick the token kind for an operation.

        App+user when the operation demands it; otherwise app-only when a client secret is set
        (and ``prefer_app_only``), because it keeps working when a user's refresh token lapses.
        """
        config = self._config
        has_user = bool(self._refresh_token)
        has_app = bool(config.client_secret)
        if requirement is AuthRequirement.APP_USER:
            if not has_user:
                raise PartnerCenterConfigurationError(
                    "this operation needs an app+user token: set "
                    "TENANTRY_PARTNER_CENTER_REFRESH_TOKEN (see docs/partner-center-client.md)"
                )
            return Credential(TokenKind.APP_USER, scope)
        if has_app and (config.prefer_app_only or not has_user):
            return Credential(TokenKind.APP_ONLY, scope)
        if has_user:
            return Credential(TokenKind.APP_USER, scope)
        raise PartnerCenterConfigurationError(
            "no Partner Center credentials: set TENANTRY_PARTNER_CENTER_CLIENT_SECRET and/or "
            "TENANTRY_PARTNER_CENTER_REFRESH_TOKEN"
        )

    async def token(self, credential: Credential) -> str:
        cached = self._valid(credential)
        if cached is not None:
            return cached
        lock = self._locks.setdefault(credential, asyncio.Lock())
        async with lock:
            # A concurrent call may have fetched it while this one waited for the lock.
            cached = self._valid(credential)
            if cached is not None:
                return cached
            fresh = await self._acquire(credential)
            self._cache.put(self._key(credential), fresh)
            return fresh.value

    def invalidate(self, credential: Credential, token: str) -> None:
        """Forget ``token`` unless a newer one replaced it meanwhile."""
        self._cache.forget(self._key(credential), token)

    def _key(self, credential: Credential) -> tuple[str, str, str, Credential]:
        config = self._config
        return (config.token_url, config.tenant_id or "", config.client_id or "", credential)

    def _valid(self, credential: Credential) -> str | None:
        cached = self._cache.get(self._key(credential))
        if cached is not None and self._clock() < cached.renew_at:
            return cached.value
        return None

    async def _acquire(self, credential: Credential) -> _CachedToken:
        config = self._config
        if not config.tenant_id or not config.client_id:
            raise PartnerCenterConfigurationError(
                "set TENANTRY_PARTNER_CENTER_TENANT_ID and TENANTRY_PARTNER_CENTER_CLIENT_ID"
            )
        form = {"client_id": config.client_id, "scope": credential.scope}
        if config.client_secret:
            form["client_secret"] = config.client_secret
        if credential.kind is TokenKind.APP_USER:
            form["grant_type"] = "refresh_token"
            form["refresh_token"] = self._refresh_token
            form["scope"] = f"{credential.scope} offline_access"
        else:
            form["grant_type"] = "client_credentials"
        requested_at = self._clock()
        response = await self._executor.execute(
            OutgoingRequest(
                operation="acquire_token",
                method="POST",
                url=config.token_url,
                form=form,
                rate_limited=False,
                errors=TOKEN_RULES,
            )
        )
        try:
            body = TokenResponse.model_validate_json(response.content)
        except ValidationError as exc:
            raise UnexpectedResponse(
                f"token endpoint answered without a usable token: {exc.error_count()} errors",
                status=response.status_code,
                operation="acquire_token",
                request_id=response.request.headers.get("MS-RequestId"),
            ) from exc
        if body.refresh_token and body.refresh_token != self._refresh_token:
            self._refresh_token = body.refresh_token
            if self._on_refresh_token is not None:
                await self._on_refresh_token(body.refresh_token)
        lifetime = max(0.0, float(body.expires_in))
        margin = min(config.token_refresh_margin, lifetime / 2)
        return _CachedToken(body.access_token, requested_at + lifetime - margin)
