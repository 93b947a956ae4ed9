"""The one path every HTTP call of the client takes: headers, pacing, retries, metrics.

Why a hand-written loop rather than stamina/tenacity: the rules are specific to Partner Center
and have to be observable in tests — a 429 waits exactly ``Retry-After`` (not a backoff), a 401
renews the token once without counting as a failure, and every attempt of one call carries the
same ``MS-RequestId`` so Partner Center can recognise a retried write.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from uuid import uuid4

import httpx
import structlog

from tenantry.partnercenter import metrics
from tenantry.partnercenter.errors import (
    ErrorRules,
    PartnerCenterError,
    TransportFailure,
    error_from_response,
)

if TYPE_CHECKING:
    from tenantry.partnercenter.config import PartnerCenterConfig
    from tenantry.partnercenter.credentials import Credential
    from tenantry.partnercenter.ratelimit import TokenBucket

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
QueryParams = Mapping[str, str | int | bool | Sequence[str]]

log = structlog.get_logger(__name__)

# 501 Not Implemented is final; 408 and the gateway family are worth another try.
RETRYABLE_STATUSES = frozenset({408, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_throttle_retries: int = 5
    max_retry_after: float = 900.0

    @classmethod
    def from_config(cls, config: PartnerCenterConfig) -> RetryPolicy:
        return cls(
            max_attempts=config.max_attempts,
            backoff_base=config.backoff_base,
            backoff_max=config.backoff_max,
            max_throttle_retries=config.max_throttle_retries,
            max_retry_after=config.max_retry_after,
        )

    def backoff(self, failures: int, rng: random.Random) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random."""
        ceiling = min(self.backoff_max, self.backoff_base * 2.0 ** max(0, failures - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass(frozen=True, slots=True)
class OutgoingRequest:
    """One logical call; the executor may send it several times."""

    operation: str
    method: str
    url: str
    params: QueryParams | None = None
    json: Any = None
    form: Mapping[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    credential: Credential | None = None
    rate_limited: bool = True
    # Statuses outside 2xx that the operation reads as an answer (404 on the domain check).
    accept: frozenset[int] = frozenset()
    errors: ErrorRules | None = None
    # The caller's MS-RequestId for a write it may repeat after a crash (derived from its own
    # state, so the repeat carries the same one); None: a new one for this call.
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class _CallIds:
    operation: str
    request_id: str
    correlation_id: str


class TokenSource(Protocol):
    async def token(self, credential: Credential) -> str: ...

    def invalidate(self, credential: Credential, token: str) -> None: ...


class RequestExecutor:
    def __init__(
        self,
        http: httpx.AsyncClient,
        policy: RetryPolicy,
        *,
        limiter: TokenBucket | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        rng: random.Random | None = None,
        default_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        self._http = http
        self._policy = policy
        self._limiter = limiter
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._default_headers = dict(default_headers or {})
        self._timeout = timeout

    async def execute(
        self, request: OutgoingRequest, tokens: TokenSource | None = None
    ) -> httpx.Response:
        """Send ``request`` until it succeeds or fails for good; raise the typed error."""
        request_id = request.request_id or str(uuid4())
        correlation_id = str(uuid4())
        started = self._clock()
        try:
            response = await self._attempts(request, request_id, correlation_id, tokens)
        except PartnerCenterError as exc:
            metrics.CALLS.labels(request.operation, exc.outcome).inc()
            raise
        finally:
            metrics.CALL_DURATION.labels(request.operation).observe(
                max(0.0, self._clock() - started)
            )
        metrics.CALLS.labels(request.operation, "success").inc()
        return response

    async def _attempts(
        self,
        request: OutgoingRequest,
        request_id: str,
        correlation_id: str,
        tokens: TokenSource | None,
    ) -> httpx.Response:
        policy = self._policy
        failures = throttles = 0
        token_renewed = False
        ids = _CallIds(request.operation, request_id, correlation_id)
        while True:
            if request.rate_limited and self._limiter is not None:
                await self._limiter.acquire(self._sleep)
            token: str | None = None
            if tokens is not None and request.credential is not None:
                token = await tokens.token(request.credential)
            try:
                response = await self._http.send(
                    self._build(request, request_id, correlation_id, token)
                )
            except httpx.TransportError as exc:
                failures += 1
                if failures >= policy.max_attempts:
                    raise TransportFailure(
                        f"{type(exc).__name__}: {exc}",
                        operation=ids.operation,
                        request_id=request_id,
                        correlation_id=correlation_id,
                    ) from exc
                await self._wait("transport_error", policy.backoff(failures, self._rng), ids)
                continue

            status = response.status_code
            if status < 300 or status in request.accept:
                return response
            if status == 401 and token is not None and not token_renewed:
                # The token may have been revoked or rotated early: renew it once.
                assert tokens is not None and request.credential is not None
                tokens.invalidate(request.credential, token)
                token_renewed = True
                await self._wait("unauthorized", 0.0, ids)
                continue

            error = error_from_response(
                status,
                response.content,
                headers=response.headers,
                rules=request.errors,
                operation=request.operation,
                request_id=request_id,
                correlation_id=correlation_id,
            )
            if status == 429:
                metrics.THROTTLES.labels(request.operation).inc()
                throttles += 1
                delay = error.retry_after
                if delay is None:
                    delay = policy.backoff(throttles, self._rng)
                if throttles > policy.max_throttle_retries or delay > policy.max_retry_after:
                    raise error
                await self._wait("throttled", delay, ids)
                continue
            if status in RETRYABLE_STATUSES:
                failures += 1
                # A 503 may name when to come back: later than max_retry_after is not waited for.
                comes_back_too_late = (error.retry_after or 0.0) > policy.max_retry_after
                if failures >= policy.max_attempts or comes_back_too_late:
                    raise error
                delay = max(policy.backoff(failures, self._rng), error.retry_after or 0.0)
                await self._wait("server_error", delay, ids)
                continue
            raise error

    def _build(
        self,
        request: OutgoingRequest,
        request_id: str,
        correlation_id: str,
        token: str | None,
    ) -> httpx.Request:
        headers = {
            **self._default_headers,
            **request.headers,
            "MS-RequestId": request_id,
            "MS-CorrelationId": correlation_id,
            # Microsoft Entra and Graph correlate on this one.
            "client-request-id": correlation_id,
        }
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self._http.build_request(
            request.method,
            request.url,
            params=request.params,
            json=request.json,
            data=request.form,
            headers=headers,
            timeout=self._timeout if self._timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )

    async def _wait(self, reason: str, delay: float, ids: _CallIds) -> None:
        metrics.RETRIES.labels(ids.operation, reason).inc()
        log.warning(
            "partner_center.retry",
            operation=ids.operation,
            reason=reason,
            delay=round(delay, 3),
            request_id=ids.request_id,
            correlation_id=ids.correlation_id,
        )
        if delay > 0:
            await self._sleep(delay)
