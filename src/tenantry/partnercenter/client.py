"""``PartnerCenterClient``: one object over one ``httpx.AsyncClient`` for every operation."""

from __future__ import annotations

import asyncio
import random
import time
from types import TracebackType
from typing import Self

import httpx

from tenantry.partnercenter.auth import RefreshTokenSink, TokenCache, TokenProvider
from tenantry.partnercenter.config import PartnerCenterConfig
from tenantry.partnercenter.operations.agreements import AgreementOperations
from tenantry.partnercenter.operations.audit import AuditOperations
from tenantry.partnercenter.operations.catalog import CatalogOperations
from tenantry.partnercenter.operations.commerce import CommerceOperations
from tenantry.partnercenter.operations.customers import CustomerOperations
from tenantry.partnercenter.operations.directory import DirectoryOperations
from tenantry.partnercenter.operations.gdap import GdapOperations
from tenantry.partnercenter.operations.partners import PartnerOperations
from tenantry.partnercenter.operations.subscriptions import SubscriptionOperations
from tenantry.partnercenter.operations.webhooks import WebhookOperations
from tenantry.partnercenter.pipeline import Clock, RequestExecutor, RetryPolicy, Sleep
from tenantry.partnercenter.ratelimit import TokenBucket, shared_bucket


class PartnerCenterClient(
    CustomerOperations,
    PartnerOperations,
    AgreementOperations,
    DirectoryOperations,
    CatalogOperations,
    CommerceOperations,
    SubscriptionOperations,
    AuditOperations,
    WebhookOperations,
    GdapOperations,
):
    """Typed access to Partner Center (and the GDAP part of Microsoft Graph).

    Use it as an async context manager. Pass ``http`` to run over your own client (for
    example ``httpx.AsyncClient(transport=httpx.ASGITransport(app))`` in tests); a client passed
    in is not closed here. ``limiter`` defaults to one token bucket per partner identity shared
    by the whole process; ``tokens`` (access tokens) defaults to a cache of this client's own
    (``partnercenter.access`` shares one between the clients it makes); ``sleep``, ``clock`` and
    ``rng`` exist so tests control time.
    """

    def __init__(
        self,
        config: PartnerCenterConfig,
        *,
        http: httpx.AsyncClient | None = None,
        limiter: TokenBucket | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        rng: random.Random | None = None,
        on_refresh_token: RefreshTokenSink | None = None,
        tokens: TokenCache | None = None,
    ) -> None:
        self._config = config
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=config.timeout)
        if limiter is None:
            limiter = shared_bucket(
                config.api_url, config.tenant_id, config.client_id, config.requests_per_minute
            )
        self._executor = RequestExecutor(
            self._http,
            RetryPolicy.from_config(config),
            limiter=limiter,
            sleep=sleep,
            clock=clock,
            rng=rng,
            default_headers={
                "Accept": "application/json",
                "X-Locale": config.locale,
                "MS-PartnerCenter-Application": config.application_name,
            },
            timeout=config.timeout,
        )
        self._tokens = TokenProvider(
            config, self._executor, clock=clock, on_refresh_token=on_refresh_token, cache=tokens
        )

    @property
    def config(self) -> PartnerCenterConfig:
        return self._config

    @property
    def refresh_token(self) -> str:
        """The newest refresh token (Microsoft Entra rotates it); persist it to keep access."""
        return self._tokens.refresh_token

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
