"""Per-tenant throttling: Partner Center's "500 requests per minute per tenant identifier".

A sliding one-minute window per partner tenant, held in memory (the sandbox runs as one process).
A refused request does not count against the window. A limit of 0 lifts it (benchmarks that
measure the product rather than the published limit); nothing is then counted.
"""

from __future__ import annotations

import math
from collections import deque

from tenantry_sandbox.clock import Clock

WINDOW_SECONDS = 60.0
UNLIMITED = 0


class Throttled(Exception):
    """The caller is over its limit; rendered as API Management's 429 with ``Retry-After``."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"throttled for {retry_after} s")
        self.retry_after = retry_after


class RateLimiter:
    def __init__(self, clock: Clock, requests_per_minute: int) -> None:
        self.clock = clock
        self.requests_per_minute = requests_per_minute
        self.per_tenant: dict[str, int] = {}
        self._hits: dict[str, deque[float]] = {}

    def configure(self, requests_per_minute: int, per_tenant: dict[str, int]) -> None:
        self.requests_per_minute = requests_per_minute
        self.per_tenant = {key.lower(): value for key, value in per_tenant.items()}
        self._hits.clear()

    def limit_for(self, tenant: str) -> int:
        return self.per_tenant.get(tenant.lower(), self.requests_per_minute)

    def hit(self, tenant: str) -> None:
        """Count one request for the tenant, or raise ``Throttled`` when the window is full."""
        key = tenant.lower()
        limit = self.limit_for(key)
        if limit == UNLIMITED:
            return
        now = self.clock.monotonic()
        window = self._hits.setdefault(key, deque())
        while window and window[0] <= now - WINDOW_SECONDS:
            window.popleft()
        if len(window) >= limit:
            raise Throttled(max(1, math.ceil(window[0] + WINDOW_SECONDS - now)))
        window.append(now)

    def reset(self) -> None:
        self._hits.clear()
