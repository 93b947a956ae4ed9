"""Everything one sandbox process holds: settings, database, clock, keys, limits and faults."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager

import httpx
from fastapi import Request

from tenantry_sandbox.clock import Clock
from tenantry_sandbox.db import Database
from tenantry_sandbox.faults import FaultInjector
from tenantry_sandbox.paging import PageTokens
from tenantry_sandbox.ratelimit import RateLimiter
from tenantry_sandbox.settings import SandboxSettings
from tenantry_sandbox.tokens import TokenService


class KeyedLocks:
    """One asyncio lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class SandboxState:
    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.db = Database(settings.database_url)
        self.clock = Clock()
        self.tokens = TokenService(settings, self.clock)
        self.limiter = RateLimiter(self.clock, settings.requests_per_minute)
        self.faults = FaultInjector()
        self.pages = PageTokens(settings.secret_key)
        self.write_locks = KeyedLocks()
        # Seconds (on the sandbox clock) a customer created through the API stays unknown to
        # every customer-scoped call, as Microsoft's new tenants are for a while (0: at once).
        self.new_customer_ready_seconds = 0.0
        # How webhook deliveries reach their URL: the network, or (in tests) an in-process app.
        self.webhook_transport: httpx.AsyncBaseTransport | None = None
        self._started = False
        self._start_lock = asyncio.Lock()

    async def ensure_started(self) -> None:
        """Create the tables, load the signing key and register the distributor, once.

        Called from the lifespan and, lazily, by the first request, so an in-process client
        (``httpx.ASGITransport`` runs no lifespan) finds a working sandbox too.
        """
        if self._started:
            return
        async with self._start_lock:
            if self._started:
                return
            await self.db.create_all()
            await self._bootstrap()
            self._started = True

    async def _bootstrap(self) -> None:
        from tenantry_sandbox.services.bootstrap import bootstrap

        async with self.db.sessionmaker() as session, session.begin():
            await self.tokens.load_keys(session)
            await bootstrap(session, self.settings, self.clock)

    async def reset(self) -> None:
        """Back to an empty world holding only the distributor (``POST /_sandbox/reset``)."""
        await self.ensure_started()
        await self.db.clear()
        self.clock.reset()
        self.limiter.reset()
        self.faults.clear()
        self.new_customer_ready_seconds = 0.0
        await self._bootstrap()

    async def close(self) -> None:
        await self.db.dispose()


async def get_state(request: Request) -> SandboxState:
    # async: a plain function dependency would be run on a worker thread for every request.
    state: SandboxState = request.app.state.sandbox
    return state
