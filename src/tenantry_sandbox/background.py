"""What the sandbox runs beside its HTTP app while it serves: the background task and the mailbox.

Every ``background_interval_seconds`` the task takes the due GDAP steps (activation, termination,
expiry) and posts the due webhook deliveries, then the card stand-in's due events. ``POST /_sandbox/webhooks/flush`` runs the same
``tick`` at once, attempting every pending delivery whatever its schedule, so tests need not wait.
The SMTP server listens on ``TENANTRY_SANDBOX_HOST:TENANTRY_SANDBOX_SMTP_PORT``; a port already
taken is logged and skipped rather than stopping the sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from tenantry_sandbox import card_delivery
from tenantry_sandbox.mailbox import start_smtp_server
from tenantry_sandbox.services import gdap
from tenantry_sandbox.webhooks_delivery import DeliveryReport, deliver

if TYPE_CHECKING:
    from tenantry_sandbox.state import SandboxState

logger = logging.getLogger("tenantry_sandbox")


async def tick(state: SandboxState, *, ignore_schedule: bool = False) -> DeliveryReport:
    """Take the due GDAP steps, then post the deliveries that are due (or all pending ones)."""
    async with state.db.sessionmaker() as session, session.begin():
        await gdap.advance_all(session, state)
    return await deliver(state, ignore_schedule=ignore_schedule)


async def _run(state: SandboxState) -> None:
    while True:
        try:
            await tick(state)
            await card_delivery.deliver(state)
        except Exception:
            logger.exception("background tick failed")
        await asyncio.sleep(state.settings.background_interval_seconds)


@contextlib.asynccontextmanager
async def background_services(state: SandboxState) -> AsyncIterator[None]:
    settings = state.settings
    smtp: asyncio.Server | None = None
    if settings.smtp_port:
        try:
            smtp = await start_smtp_server(state, settings.host, settings.smtp_port)
        except OSError as exc:
            logger.warning(
                "mailbox SMTP server not started on port %s: %s", settings.smtp_port, exc
            )
    task = asyncio.create_task(_run(state), name="sandbox-background")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if smtp is not None:
            smtp.close()
            await smtp.wait_closed()
