"""The process's way to Partner Center: its settings and HTTP transport, for requests and jobs.

Requests reach it through ``app.state.partner_center`` (``PartnerCenter`` dependency); job
handlers, which get only a session and a payload, through :func:`current`. ``create_app``
configures both with the app's settings and transport (the sandbox's ASGI app in tests), the way
``notifications.config`` does for mail.
"""

from __future__ import annotations

import dataclasses
import functools
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import certifi
import httpx

from tenantry.errors import TenantryError
from tenantry.partnercenter.auth import TokenCache
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.partnercenter.config import PartnerCenterConfig, PartnerCenterSettings

# A person waits for a lookup: few attempts and a short timeout, then say Partner Center is slow.
LOOKUP_TIMEOUT_SECONDS = 5.0
LOOKUP_ATTEMPTS = 2
# A busy Partner Center (429, or a 503 naming a time to come back) is waited out once, and only
# when it asks for no longer than this; otherwise the person is told at once to try again later.
LOOKUP_THROTTLE_RETRIES = 1
LOOKUP_LONGEST_RETRY_AFTER_SECONDS = 5.0


def as_lookup(config: PartnerCenterConfig) -> PartnerCenterConfig:
    """``config`` for calls a person waits on (a page, an API request)."""
    return dataclasses.replace(
        config, max_attempts=LOOKUP_ATTEMPTS, timeout=LOOKUP_TIMEOUT_SECONDS,
        max_throttle_retries=LOOKUP_THROTTLE_RETRIES,
        max_retry_after=LOOKUP_LONGEST_RETRY_AFTER_SECONDS,
    )  # fmt: skip


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every Partner Center client of the process.

    Why: each ``httpx.AsyncClient`` otherwise loads the certificate bundle again (about 40 ms of
    CPU that blocks the event loop), and a job makes a client per run: measured with
    ``bench/orders.py``, a third of provisioning's time went there. A context is safe to share.
    """
    return ssl.create_default_context(cafile=certifi.where())


def http_client(transport: httpx.AsyncBaseTransport | None, timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport, timeout=timeout, verify=tls_context())


class PartnerCenterUnavailable(TenantryError):
    """A check a save depends on could not ask Partner Center: nothing is saved (503)."""

    status = 503
    code = "partner_center_unavailable"
    title = "Partner Center cannot be reached"


@dataclass(frozen=True)
class PartnerCenterAccess:
    settings: PartnerCenterSettings
    transport: httpx.AsyncBaseTransport | None = None
    # Access tokens shared by the clients made here: a job run's client reuses the token an
    # earlier run fetched until it nears its expiry (bench/orders.py: 150 of 400 calls saved).
    tokens: TokenCache = dataclasses.field(default_factory=TokenCache, compare=False)

    def config(self, *, lookup: bool = False) -> PartnerCenterConfig:
        config = PartnerCenterConfig.from_settings(self.settings)
        return as_lookup(config) if lookup else config

    @asynccontextmanager
    async def client(
        self, *, lookup: bool = False, config: PartnerCenterConfig | None = None
    ) -> AsyncIterator[PartnerCenterClient]:
        """A client for one piece of work. ``lookup=True`` for calls a person waits on;
        ``config`` for work that tunes the retries itself (a job that waits in the outbox)."""
        config = config or self.config(lookup=lookup)
        async with (
            http_client(self.transport, config.timeout) as http,
            PartnerCenterClient(config, http=http, tokens=self.tokens) as client,
        ):
            yield client


_current: PartnerCenterAccess | None = None


def configure(
    settings: PartnerCenterSettings, transport: httpx.AsyncBaseTransport | None = None
) -> PartnerCenterAccess:
    global _current
    _current = PartnerCenterAccess(settings, transport)
    return _current


def current() -> PartnerCenterAccess:
    """This process's access; unconfigured, it follows the environment's settings."""
    if _current is None:
        from tenantry.settings import get_settings

        return configure(get_settings())
    return _current
