"""The platform's webhook subscription with Partner Center: register or update it, check it.

The subscription asks for every event type some domain handles (``registry.known_event_names``)
that Partner Center offers, posted to ``TENANTRY_PARTNER_CENTER_WEBHOOK_URL``. Registering is
idempotent: an equal registration is left alone, a different one updated in place.

``tenantry serve``/``run`` call :func:`attach_on_start` when
``TENANTRY_PARTNER_CENTER_WEBHOOK_REGISTER_ON_START`` holds (by default only with the embedded
sandbox): registration then runs in the background once the app serves, and a failure is logged
with what to do, never stopping the server.

A registration or update is written to the audit log by the system (:func:`audit`), on the
platform that receives the events; a registration found up to date changes nothing and is not.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

import structlog
from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError

from tenantry.audit.service import record
from tenantry.db import Database
from tenantry.partnercenter import PartnerCenterClient
from tenantry.partnercenter import access as partner_center_access
from tenantry.partnercenter.errors import NotFound, PartnerCenterError
from tenantry.partnercenter.models.webhooks import ValidationEventStatus, WebhookRegistration
from tenantry.partnercenter_events import registry, service
from tenantry.settings import Settings

log = structlog.get_logger("tenantry.partnercenter_events")

Action = Literal["registered", "updated", "unchanged"]
VALIDATION_WAIT_SECONDS = 60.0
VALIDATION_POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Registered:
    action: Action
    url: str
    events: list[str]
    subscriber_id: str | None
    # Event types a domain handles that Partner Center does not offer (left out).
    not_offered: list[str] = field(default_factory=list)

    def describe(self) -> str:
        what = {
            "registered": "Registered the webhook subscription",
            "updated": "Updated the webhook subscription",
            "unchanged": "The webhook subscription was up to date",
        }[self.action]
        lines = [f"{what}: Partner Center posts to {self.url}", f"Events: {', '.join(self.events)}"]
        if self.not_offered:
            lines.append(f"Not offered by Partner Center: {', '.join(self.not_offered)}")
        return "\n".join(lines)


async def current(client: PartnerCenterClient) -> WebhookRegistration | None:
    try:
        return await client.get_webhook_registration()
    except NotFound:
        return None


async def register(client: PartnerCenterClient, url: str) -> Registered:
    """Register the subscription, or update it when its URL or events differ."""
    offered = {name.lower(): name for name in await client.list_webhook_events()}
    known = registry.known_event_names()
    events = [offered[name] for name in known if name in offered]
    not_offered = [name for name in known if name not in offered]
    existing = await current(client)
    wanted = WebhookRegistration(webhook_url=url, webhook_events=events)
    if existing is None:
        saved = await client.register_webhook(wanted)
        action: Action = "registered"
    elif existing.webhook_url == url and sorted(existing.webhook_events) == sorted(events):
        saved, action = existing, "unchanged"
    else:
        wanted.signature_token_to_ms_signature_header = (
            existing.signature_token_to_ms_signature_header
        )
        saved = await client.update_webhook_registration(wanted)
        action = "updated"
    return Registered(action, saved.webhook_url, list(saved.webhook_events), saved.subscriber_id,
                      not_offered)  # fmt: skip


AUDIT_TARGET = "partner_center_webhook_subscription"


async def audit(database: Database, settings: Settings, done: Registered) -> None:
    """Record a registration or update (actor: the system) in its own transaction, on the
    platform that receives the events (none when it cannot be told apart)."""
    if done.action == "unchanged":
        return
    async with database.transaction() as session:
        platform_id = await service.find_receiving_platform(
            session, settings.partner_center_tenant_id
        )
        await record(
            session, None, action=f"partner_center.webhook_subscription_{done.action}",
            target_type=AUDIT_TARGET, target_id=done.subscriber_id,
            organization_id=platform_id, platform_id=platform_id,
            changes={"url": done.url, "events": done.events, "not_offered": done.not_offered},
        )  # fmt: skip


async def register_and_audit(
    client: PartnerCenterClient, database: Database, settings: Settings
) -> Registered:
    """:func:`register` at ``TENANTRY_PARTNER_CENTER_WEBHOOK_URL``, then :func:`audit`."""
    done = await register(client, settings.partner_center_webhook_url)
    await audit(database, settings, done)
    return done


async def validate(
    client: PartnerCenterClient, *, wait_seconds: float = VALIDATION_WAIT_SECONDS
) -> ValidationEventStatus:
    """Ask Partner Center to post its test event and wait (up to ``wait_seconds``) for the
    outcome of the delivery; the status says ``pending`` when it has not completed by then."""
    created = await client.create_webhook_validation_event()
    deadline = time.monotonic() + wait_seconds
    while True:
        status = await client.get_webhook_validation_status(created.correlation_id)
        if (status.status or "").lower() == "completed" or time.monotonic() >= deadline:
            return status
        await asyncio.sleep(VALIDATION_POLL_SECONDS)


def what_to_do(settings: Settings, error: Exception) -> str:
    return (
        f"could not register the Partner Center webhook subscription ({error}); Partner Center "
        f"events will not reach {settings.partner_center_webhook_url} until it is registered: "
        "check the TENANTRY_PARTNER_CENTER_* settings and run "
        "`tenantry partner-center webhooks register`"
    )


async def register_in_background(
    settings: Settings, database: Database | None = None
) -> Registered | None:
    """Register with this process's Partner Center access and audit it in ``database`` (one of
    its own when None); log the outcome, never raise."""
    target = database if database is not None else Database(settings)
    try:
        async with partner_center_access.current().client() as client:
            done = await register_and_audit(client, target, settings)
    except (PartnerCenterError, OSError, SQLAlchemyError) as exc:
        log.warning(what_to_do(settings, exc))
        return None
    finally:
        if database is None:
            await target.dispose()
    log.info(
        "partner center webhook subscription " + done.action,
        url=done.url,
        events=done.events,
        not_offered=done.not_offered,
    )
    return done


def attach_on_start(app: FastAPI) -> bool:
    """Register in the background once ``app`` has started (serving is never held up; the task
    is cancelled if the app stops first). False when the settings say not to."""
    settings: Settings = app.state.settings
    if not settings.partner_center_webhook_register_on_start:
        return False
    app_lifespan = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with app_lifespan(app) as state:
            task = asyncio.create_task(register_in_background(settings, app.state.database))
            app.state.webhook_registration = task
            try:
                yield state
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app.router.lifespan_context = lifespan
    return True
