"""The process's way to Partner Center: its settings and HTTP transport, for requests and jobs.

Requests reach it through ``app.state.partner_center`` (``PartnerCenter`` dependency); job
handlers, which get only a session and a payload, through :func:`current`. ``create_app``
configures both with the app's settings and transport (the sandbox's ASGI app in tests), the way
``notifications.config`` does for mail.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from tenantry.errors import TenantryError
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.partnercenter.config import PartnerCenterConfig, PartnerCenterSettings

# A person waits for a lookup: few attempts and a short timeout, then say Partner Center is slow.
LOOKUP_TIMEOUT_SECONDS = 5.0
LOOKUP_ATTEMPTS = 2


class PartnerCenterUnavailable(TenantryError):
    """A check a save depends on could not ask Partner Center: nothing is saved (503)."""

    status = 503
    code = "partner_center_unavailable"
    title = "Partner Center cannot be reached"


@dataclass(frozen=True)
class PartnerCenterAccess:
    settings: PartnerCenterSettings
    transport: httpx.AsyncBaseTransport | None = None

    def config(self, *, lookup: bool = False) -> PartnerCenterConfig:
        config = PartnerCenterConfig.from_settings(self.settings)
        if lookup:
            config = dataclasses.replace(
                config, max_attempts=LOOKUP_ATTEMPTS, timeout=LOOKUP_TIMEOUT_SECONDS
            )
        return config

    @asynccontextmanager
    async def client(self, *, lookup: bool = False) -> AsyncIterator[PartnerCenterClient]:
        """A client for one piece of work. ``lookup=True`` for calls a person waits on."""
        config = self.config(lookup=lookup)
        async with (
            httpx.AsyncClient(transport=self.transport, timeout=config.timeout) as http,
            PartnerCenterClient(config, http=http) as client,
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
