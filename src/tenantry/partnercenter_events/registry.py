"""What each domain does when Partner Center reports an event.

A domain declares handlers in its ``events.py``::

    from tenantry.partnercenter_events import registry

    @registry.on("reseller-relationship-accepted-by-customer")
    async def link_waiting_checkout(session: AsyncSession, event: PartnerCenterEvent) -> str:
        ...
        return "linked the tenant to Contoso"

A handler runs in the event job's transaction, may run more than once for one event (so it
checks state and acts once), returns what it did in words staff read in the events list, and
raises to have the job retried. An event type nobody handles is kept and listed as ignored.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import PartnerCenterEvent

EventHandler = Callable[[AsyncSession, PartnerCenterEvent], Awaitable[str | None]]
E = TypeVar("E", bound=EventHandler)

_handlers: dict[str, list[EventHandler]] = {}
_discovered = False


def on(*event_names: str) -> Callable[[E], E]:
    """Register the decorated coroutine for each of ``event_names`` (lower case, as sent)."""

    def register(handler: E) -> E:
        for name in event_names:
            handlers = _handlers.setdefault(name.lower(), [])
            if handler not in handlers:
                handlers.append(handler)
        return handler

    return register


def discover() -> None:
    """Import every ``tenantry.<package>[.<sub>].events`` module, so their handlers register."""
    global _discovered
    if _discovered:
        return
    import tenantry

    for module in pkgutil.walk_packages(tenantry.__path__, "tenantry."):
        if module.name.rsplit(".", 1)[-1] == "events":
            importlib.import_module(module.name)
    _discovered = True


def handlers_for(event_name: str) -> list[EventHandler]:
    discover()
    return list(_handlers.get(event_name.lower(), []))


def known_event_names() -> list[str]:
    """Every event type some domain handles: what the platform subscribes to."""
    discover()
    return sorted(_handlers)
