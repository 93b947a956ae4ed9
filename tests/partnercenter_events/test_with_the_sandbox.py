"""The subscription is registered with the sandbox, and the sandbox's own signed deliveries
reach the app, are verified, recorded once and handled."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import AuditEvent, PartnerCenterEvent
from tenantry.partnercenter_events import registration, registry
from tenantry.partnercenter_events.cli import register_report, status_report
from tenantry.settings import Settings
from tests.factories import World
from tests.jobs.conftest import run_queued
from tests.sandbox.conftest import Sandbox

ACCEPTED = "reseller-relationship-accepted-by-customer"
REGISTRATION = "/webhooks/v1/registration"


async def saw_customer(session: AsyncSession, event: PartnerCenterEvent) -> str:
    return f"saw {event.resource_uri}"


@pytest.fixture(autouse=True)
def handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A domain handles the relationship event; another type no Partner Center offers."""
    monkeypatch.setitem(registry._handlers, ACCEPTED, [saw_customer])
    monkeypatch.setitem(registry._handlers, "tenantry-test-not-offered", [saw_customer])


@pytest.fixture
def delivering(app: FastAPI, sqlite_sandbox: Sandbox) -> Sandbox:
    """The sandbox posts its deliveries to the app in-process."""
    sqlite_sandbox.state.webhook_transport = httpx.ASGITransport(app=app)
    return sqlite_sandbox


async def audited(database: Database) -> list[tuple[str, str | None, str | None]]:
    """The subscription's audit events: (action, actor, platform), oldest first."""
    async with database.transaction(write=False) as session:
        found = await session.execute(
            select(AuditEvent.action, AuditEvent.actor_label, AuditEvent.platform_id)
            .where(AuditEvent.target_type == registration.AUDIT_TARGET)
            .order_by(AuditEvent.occurred_at)
        )
        return [(a, label, str(p) if p else None) for a, label, p in found.all()]


async def test_registering_subscribes_to_the_handled_events_partner_center_offers(
    app: FastAPI, settings: Settings, sqlite_sandbox: Sandbox, database: Database, world: World
) -> None:
    access = app.state.partner_center
    first = await register_report(access, settings, database)
    assert first.startswith("Registered the webhook subscription: Partner Center posts to "
                            "http://testserver/api/v1/partner-center/events")  # fmt: skip
    assert "Not offered by Partner Center: tenantry-test-not-offered" in first
    stored = (await sqlite_sandbox.call("GET", REGISTRATION)).json()
    # Every handled type Partner Center offers (the domains add theirs), nothing else.
    handled = set(registry.known_event_names()) - {"tenantry-test-not-offered"}
    assert {ACCEPTED, "test-created"} <= set(stored["WebhookEvents"])
    assert set(stored["WebhookEvents"]) == handled
    assert (await register_report(access, settings, database)).startswith(
        "The webhook subscription was up"
    )

    moved = settings.model_copy(
        update={"partner_center_webhook_url": "https://portal.example/api/v1/partner-center/events"}
    )
    assert (await register_report(access, moved, database)).startswith(
        "Updated the webhook subscription"
    )
    status = await status_report(access, settings, validate=False)
    assert "https://portal.example/api/v1/partner-center/events" in status
    assert "is not TENANTRY_PARTNER_CENTER_WEBHOOK_URL" in status
    # The registration and the update are audited, by the system, on the platform; the
    # registration found up to date changed nothing.
    platform = str(world.platform.id)
    assert await audited(database) == [
        ("partner_center.webhook_subscription_registered", "system", platform),
        ("partner_center.webhook_subscription_updated", "system", platform),
    ]


async def test_with_nothing_registered_status_says_what_to_run(
    app: FastAPI, settings: Settings
) -> None:
    status = await status_report(app.state.partner_center, settings, validate=False)
    assert "Run `tenantry partner-center webhooks register`" in status


async def test_registering_at_start_runs_in_the_background(
    app: FastAPI, settings: Settings, sqlite_sandbox: Sandbox, database: Database
) -> None:
    assert not registration.attach_on_start(app), "off unless the embedded sandbox is used"
    app.state.settings = settings.model_copy(
        update={"partner_center_webhook_register_on_start": True}
    )
    assert registration.attach_on_start(app)
    async with app.router.lifespan_context(app):
        done = await app.state.webhook_registration
    assert done is not None and done.action == "registered"
    [(action, actor, _)] = await audited(database)
    assert (action, actor) == ("partner_center.webhook_subscription_registered", "system")


async def test_a_failed_registration_at_start_is_logged_with_what_to_do(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    from tenantry.partnercenter import access

    unreachable = settings.model_copy(update={"partner_center_api_url": "http://127.0.0.1:9"})
    access.configure(unreachable)
    try:
        assert await registration.register_in_background(unreachable) is None
    finally:
        access.configure(settings)
    [warning] = [r for r in caplog.records if r.name == "tenantry.partnercenter_events"]
    assert warning.levelname == "WARNING"
    assert "tenantry partner-center webhooks register" in warning.getMessage()


async def test_the_sandbox_delivers_a_signed_event_that_the_app_records_and_handles(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings, delivering: Sandbox,
    job_queue: JobQueue, world: World, database: Database,
) -> None:  # fmt: skip
    await register_report(app.state.partner_center, settings, database)
    customer = await delivering.customer(relationship="direct")
    raised = await delivering.control(
        "POST", "/webhooks/events",
        json={"eventName": ACCEPTED, "parameters": {"customer_id": customer["id"]}},
    )  # fmt: skip
    assert raised["queued"], "the subscription includes the event"
    flushed = await delivering.control("POST", "/webhooks/flush")
    assert flushed["delivered"] == 1, flushed
    await run_queued(job_queue)

    listed = await client.get("/api/v1/partner-center/events", headers=world.platform.headers)
    [event] = listed.json()["items"]
    assert (event["event_name"], event["outcome"]) == (ACCEPTED, "handled")
    assert event["detail"] == f"saw {event['resource_uri']}"
    assert event["resource_uri"].endswith(f"/v1/customers/{customer['id']}")


async def test_the_test_event_is_delivered_and_reported_by_status(
    app: FastAPI, settings: Settings, delivering: Sandbox, job_queue: JobQueue, database: Database
) -> None:
    await register_report(app.state.partner_center, settings, database)
    checking = asyncio.create_task(status_report(app.state.partner_center, settings, validate=True))
    deadline = time.monotonic() + 30
    while not checking.done():
        assert time.monotonic() < deadline, "the status never completed"
        await delivering.control("POST", "/webhooks/flush")
        await asyncio.sleep(0.05)
    assert "Test event: completed; delivery answers: Accepted" in checking.result()
