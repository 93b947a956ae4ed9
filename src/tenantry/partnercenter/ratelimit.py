"""Client-side token bucket that keeps bulk jobs under Partner Center's published rate.

Partner Center allows 500 requests per minute per partner tenant on the customer, order and
subscription resources; going over costs a 429 with a ``Retry-After`` of up to a minute. Pacing
ourselves is cheaper than sitting out those waits.

The bucket reserves a slot under a ``threading.Lock`` and sleeps outside it, so one bucket can be
shared by every client of the process, whatever thread or event loop it runs on (worker threads
each run their own loop). A reservation may drive the balance negative: later callers queue behind
it in arrival order.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable

from tenantry.partnercenter import metrics

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class TokenBucket:
    """``capacity`` requests may go at once; after that the bucket refills at ``rate`` per second.

    Use :meth:`per_minute` to build one that never lets more than N requests into any 60-second
    window.
    """

    def __init__(
        self,
        rate: float,
        capacity: float,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("rate must be positive and capacity at least 1")
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._sleep = sleep
        self._tokens = capacity
        self._updated = clock()
        self._lock = threading.Lock()

    @classmethod
    def per_minute(
        cls,
        requests_per_minute: int,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> TokenBucket:
        """A bucket whose burst plus one minute of refill equals ``requests_per_minute``.

        The burst is a tenth of the rate (at most 10), so a fresh job starts at once but the
        sliding-minute total still stays within the limit.
        """
        burst = max(1, min(10, requests_per_minute // 10))
        refill = requests_per_minute - burst if requests_per_minute > burst else requests_per_minute
        return cls(refill / 60.0, burst, clock=clock, sleep=sleep)

    def reserve(self) -> float:
        """Take one slot and return how many seconds to wait before using it."""
        with self._lock:
            now = self._clock()
            elapsed = max(0.0, now - self._updated)
            self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
            self._updated = now
            self._tokens -= 1
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    async def acquire(self, sleep: Sleep | None = None) -> float:
        """Wait for a slot (with ``sleep``, or the bucket's own); returns the seconds waited."""
        delay = self.reserve()
        metrics.LIMITER_WAIT.observe(delay)
        if delay > 0:
            await (sleep or self._sleep)(delay)
        return delay


_shared: dict[tuple[str, str, str, int], TokenBucket] = {}
_shared_lock = threading.Lock()


def shared_bucket(api_url: str, tenant_id: str, client_id: str, rpm: int) -> TokenBucket:
    """The process-wide bucket for one partner identity (Microsoft throttles per partner tenant)."""
    key = (api_url, tenant_id, client_id, rpm)
    with _shared_lock:
        bucket = _shared.get(key)
        if bucket is None:
            bucket = _shared[key] = TokenBucket.per_minute(rpm)
        return bucket
