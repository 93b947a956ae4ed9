"""Changing a customer's subscription after purchase: more and fewer licenses, auto-renew off
and on, each a change of its own that ends done or failed (with why and what to do), carried
out against the Partner Center sandbox by the job."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from tenantry.agreements import gate, microsoft
from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import (
    AuditEvent,
    MicrosoftAgreementState,
    MicrosoftSubscription,
    Organization,
    OrganizationStatus,
    OutboxItem,
    SubscriptionChange,
    utcnow,
)
from tenantry.settings import Settings
from tests.agreements.accepted import agreement_accepted
from tests.factories import World
from tests.jobs.conftest import ManualClock, run_queued
from tests.orders.subscriptions.conftest import Bought, buy, in_sandbox
from tests.sandbox.conftest import Sandbox


async def change_emails(database: Database) -> list[tuple[list[str], dict[str, Any]]]:
    """(recipients, context) of each email about a finished subscription change."""
    async with database.transaction(write=False) as session:
        rows = await session.scalars(
            select(OutboxItem)
            .where(OutboxItem.kind == "notifications.email")
            .order_by(OutboxItem.created_at)
        )
        return [
            (row.payload["recipients"], row.payload["context"])
            for row in rows
            if row.payload["template"] == "subscription_change"
        ]


async def ask(client: httpx.AsyncClient, bought: Bought, headers: dict[str, str],
              key: str | None = None, **body: Any) -> httpx.Response:  # fmt: skip
    extra = {"Idempotency-Key": key} if key else {}
    return await client.post(bought.url("/changes"), json=body, headers=headers | extra)


async def test_more_licenses_are_bought_and_the_change_ends_done(
    client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
    sqlite_sandbox: Sandbox, job_queue: JobQueue,
) -> None:  # fmt: skip
    bought = await buy(database, settings, sqlite_sandbox, world.direct_customer.organization)
    asked = await ask(client, bought, world.direct_customer.headers, quantity=5)
    assert asked.status_code == 202, asked.text
    change = asked.json()
    assert change["state"] == "requested" and change["quantity_before"] == 3

    assert await run_queued(job_queue) >= 1
    done = await client.get(bought.url(f"/changes/{change['id']}"),
                            headers=world.direct_customer.headers)  # fmt: skip
    assert done.json()["state"] == "done", done.text
    assert (await in_sandbox(settings, sqlite_sandbox, bought)).quantity == 5
    shown = (await client.get(bought.url(), headers=world.platform.headers)).json()
    assert shown["quantity"] == 5 and [c["state"] for c in shown["changes"]] == ["done"]
    async with database.transaction() as session:
        actions = set(await session.scalars(
            select(AuditEvent.action).where(AuditEvent.target_type == "subscription")
        ))  # fmt: skip
    assert {"subscription.change_requested", "subscription.change_done"} <= actions
    [(recipients, context)] = await change_emails(database)
    assert recipients == [world.direct_customer.organization.contact_email]
    assert (
        context["subject"] == "Microsoft 365 Business Basic for Direct Customer now has 5 licenses"
    )
    assert (
        context["subscription_path"]
        == f"/organizations/{bought.organization.id}/subscriptions/{bought.row_id}"
    )


async def test_fewer_licenses_within_the_seven_days_and_auto_renew_off_then_on(
    client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
    sqlite_sandbox: Sandbox, job_queue: JobQueue,
) -> None:  # fmt: skip
    bought = await buy(database, settings, sqlite_sandbox, world.customer_a.organization)
    headers = world.reseller_a.headers  # the seller's staff change it
    assert (await ask(client, bought, headers, quantity=2)).status_code == 202
    await run_queued(job_queue)
    assert (await in_sandbox(settings, sqlite_sandbox, bought)).quantity == 2

    off = await ask(client, bought, world.customer_a.headers, auto_renew=False)
    assert off.status_code == 202, off.text
    await run_queued(job_queue)
    assert (await in_sandbox(settings, sqlite_sandbox, bought)).auto_renew_enabled is False
    on = await ask(client, bought, world.customer_a.headers, auto_renew=True)
    assert on.status_code == 202, on.text
    await run_queued(job_queue)
    current = await in_sandbox(settings, sqlite_sandbox, bought)
    assert current.auto_renew_enabled is True and current.quantity == 2
    shown = (await client.get(bought.url(), headers=headers)).json()
    assert [c["state"] for c in shown["changes"]] == ["done", "done", "done"]
    assert shown["auto_renew"] is True


async def test_more_licenses_than_the_sku_sells_are_refused_before_anything_is_sent(
    client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
    sqlite_sandbox: Sandbox,
) -> None:  # fmt: skip
    """Business Basic is sold in 1 to 300 licenses per subscription (the catalog says so)."""
    bought = await buy(database, settings, sqlite_sandbox, world.direct_customer.organization)
    refused = await ask(client, bought, world.direct_customer.headers, quantity=301)
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert (error["field"], error["rule"]) == ("quantity", "sku_maximum")
    assert "Microsoft 365 Business Basic is sold in 1 to 300 licenses" in error["message"]
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(SubscriptionChange)) == 0
    assert (await in_sandbox(settings, sqlite_sandbox, bought)).quantity == 3
    most = await ask(client, bought, world.direct_customer.headers, quantity=300)
    assert most.status_code == 202, most.text


async def test_fewer_licenses_after_the_window_are_refused_with_when_it_becomes_possible(
    client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
    sqlite_sandbox: Sandbox, job_queue: JobQueue,
) -> None:  # fmt: skip
    bought = await buy(database, settings, sqlite_sandbox, world.direct_customer.organization)
    # As read a week later: Partner Center lists nothing refundable any more.
    async with database.transaction() as session:
        row = await session.get(MicrosoftSubscription, bought.row_id)
        assert row is not None
        closed = (utcnow() - timedelta(hours=1)).isoformat()
        row.raw = {**row.raw, "refundableQuantity": {
            "totalQuantity": 3, "details": [{"quantity": 3, "allowedUntilDateTime": closed}]}}  # fmt: skip
    refused = await ask(client, bought, world.direct_customer.headers, quantity=1)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["reason"] == "decrease_window_closed"
    assert "within 7 days (168 hours)" in problem["detail"]
    assert "It becomes possible at the renewal on" in problem["detail"]
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(SubscriptionChange)) == 0


async def test_a_decrease_microsoft_refuses_after_its_window_fails_in_plain_words(
    client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
    sqlite_sandbox: Sandbox, job_queue: JobQueue,
) -> None:  # fmt: skip
    bought = await buy(database, settings, sqlite_sandbox, world.direct_customer.organization)
    asked = await ask(client, bought, world.direct_customer.headers, quantity=1)
    assert asked.status_code == 202
    # Eight days pass in Partner Center before the job runs.
    await sqlite_sandbox.control("POST", "/clock", json={"advance_seconds": 8 * 24 * 3600})
    try:
        await run_queued(job_queue)
    finally:
        await sqlite_sandbox.control("DELETE", "/clock")
    change = (await client.get(bought.url(f"/changes/{asked.json()['id']}"),
                               headers=world.direct_customer.headers)).json()  # fmt: skip
    assert change["state"] == "failed"
    assert "only within 7 days (168 hours)" in change["failure"]
    assert (await in_sandbox(settings, sqlite_sandbox, bought)).quantity == 3


async def test_the_gate_refuses_more_licenses_before_anything_is_sent(
    client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
    sqlite_sandbox: Sandbox, job_queue: JobQueue,
) -> None:  # fmt: skip
    org = world.direct_customer.organization
    bought = await buy(database, settings, sqlite_sandbox, org)
    await sqlite_sandbox.control("PUT", f"/customers/{bought.tenant}/mca",
                                 json={"direct_signed": False})  # fmt: skip
    refused = await ask(client, bought, world.direct_customer.headers, quantity=4)
    assert refused.status_code == 409, refused.text
    assert refused.json()["reason"] == gate.MCA_MISSING
    assert "Microsoft accepts no more licenses" in refused.json()["detail"]
    renew = await ask(client, bought, world.direct_customer.headers, auto_renew=False)
    assert renew.status_code == 202  # auto-renew off is not a purchase
    assert (await in_sandbox(settings, sqlite_sandbox, bought)).quantity == 3

    async with database.transaction() as session:
        row = await session.get(Organization, org.id)
        assert row is not None
        row.status = OrganizationStatus.BLOCKED
    blocked = await ask(client, bought, world.platform.headers, quantity=4)
    assert blocked.status_code == 409 and blocked.json()["reason"] in (
        "organization_not_active", "change_in_progress",
    )  # fmt: skip


async def test_microsofts_13605_fails_the_change_and_corrects_the_agreement_status(
    client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
    sqlite_sandbox: Sandbox, job_queue: JobQueue,
) -> None:  # fmt: skip
    org = world.direct_customer.organization
    bought = await buy(database, settings, sqlite_sandbox, org)
    # Tenantry believes the agreement accepted; Partner Center no longer does.
    await agreement_accepted(database, org.id)
    await sqlite_sandbox.control("PUT", f"/customers/{bought.tenant}/mca",
                                 json={"direct_signed": False})  # fmt: skip
    asked = await ask(client, bought, world.direct_customer.headers, quantity=6)
    assert asked.status_code == 202, asked.text
    await run_queued(job_queue)
    change = (await client.get(bought.url(f"/changes/{asked.json()['id']}"),
                               headers=world.direct_customer.headers)).json()  # fmt: skip
    assert change["state"] == "failed" and change["failure_code"] == gate.MCA_MISSING
    assert "Microsoft accepts no more licenses" in change["failure"]
    assert "then ask for the change again" in change["failure"]
    [(_, told)] = await change_emails(database)
    assert told["subject"] == "Microsoft 365 Business Basic for Direct Customer: the change failed"
    assert "Microsoft accepts no more licenses" in told["happened"] and told["failed"] is True
    async with database.transaction() as session:
        row = await session.get(Organization, org.id)
        assert row is not None
        status = await microsoft.status_row(session, row)
        assert status.state is MicrosoftAgreementState.MISSING
        assert status.check_error and "13605" in status.check_error
    assert (await in_sandbox(settings, sqlite_sandbox, bought)).quantity == 3


async def test_the_same_idempotency_key_makes_one_change(
    client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
    sqlite_sandbox: Sandbox, job_queue: JobQueue,
) -> None:  # fmt: skip
    bought = await buy(database, settings, sqlite_sandbox, world.direct_customer.organization)
    first = await ask(client, bought, world.direct_customer.headers, "k-1", quantity=4)
    again = await ask(client, bought, world.direct_customer.headers, "k-1", quantity=4)
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    other = await ask(client, bought, world.direct_customer.headers, "k-1", quantity=7)
    assert other.status_code == 422
    assert other.json()["errors"][0]["rule"] == "reused_key"


async def test_partner_center_down_leaves_the_change_requested_and_the_job_retries(
    client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
    sqlite_sandbox: Sandbox, job_queue: JobQueue, clock: ManualClock,
) -> None:  # fmt: skip
    bought = await buy(database, settings, sqlite_sandbox, world.direct_customer.organization)
    await sqlite_sandbox.control("PUT", "/faults", json={"rules": [
        {"kind": "error", "status": 503, "path": "*/subscriptions/*", "times": 5},
    ]})  # fmt: skip
    asked = await ask(client, bought, world.direct_customer.headers, quantity=4)
    assert asked.status_code == 202
    await run_queued(job_queue)
    url = bought.url(f"/changes/{asked.json()['id']}")
    assert (await client.get(url, headers=world.direct_customer.headers)).json()["state"] == (
        "requested"
    )
    await sqlite_sandbox.control("DELETE", "/faults")
    clock.advance(11)  # the job's first backoff is 10 s
    await run_queued(job_queue, clock.now)
    assert (await client.get(url, headers=world.direct_customer.headers)).json()["state"] == "done"
    assert (await in_sandbox(settings, sqlite_sandbox, bought)).quantity == 4


async def test_a_lost_answer_is_retried_without_applying_the_change_twice(
    client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
    sqlite_sandbox: Sandbox, job_queue: JobQueue,
) -> None:  # fmt: skip
    bought = await buy(database, settings, sqlite_sandbox, world.direct_customer.organization)
    await sqlite_sandbox.control("PUT", "/faults", json={"rules": [
        {"kind": "disconnect", "path": "*/subscriptions/*", "methods": ["PATCH"],
         "after_response": True, "times": 1},
    ]})  # fmt: skip
    asked = await ask(client, bought, world.direct_customer.headers, quantity=4)
    await run_queued(job_queue)
    await sqlite_sandbox.control("DELETE", "/faults")
    url = bought.url(f"/changes/{asked.json()['id']}")
    assert (await client.get(url, headers=world.direct_customer.headers)).json()["state"] == "done"
    assert (await in_sandbox(settings, sqlite_sandbox, bought)).quantity == 4
    records = await sqlite_sandbox.call(
        "GET", "/v1/auditrecords",
        params={"startDate": (utcnow() - timedelta(hours=1)).isoformat()},
    )  # fmt: skip
    assert records.status_code == 200, records.text
    updates = [
        r for r in records.json()["items"] if r.get("operationType") == "update_subscription"
    ]
    assert len(updates) == 1
