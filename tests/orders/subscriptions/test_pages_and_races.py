"""The subscription pages (who sees, who changes, the change's state), the read-only and
out-of-scope answers, and twenty identical requests at once making one change."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import Role, SubscriptionChange
from tenantry.settings import Settings
from tests.agreements.accepted import agreement_accepted
from tests.factories import Party, World, make_token
from tests.jobs.conftest import run_queued
from tests.orders.subscriptions.conftest import buy, in_sandbox
from tests.sandbox.conftest import Sandbox
from tests.web.conftest import People, post_form, sign_in
from tests.web.html import Page


async def test_a_customer_admin_changes_licenses_on_the_page_and_sees_the_change_done(
    client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
    people: People, sqlite_sandbox: Sandbox, job_queue: JobQueue,
) -> None:  # fmt: skip
    bought = await buy(database, settings, sqlite_sandbox, world.customer_a.organization)
    await sign_in(client, people.customer_admin.email)
    listing = Page((await client.get(f"/organizations/{world.customer_a.id}/subscriptions")).text)
    link = listing.find(
        "a", href=f"/organizations/{world.customer_a.id}/subscriptions/{bought.row_id}"
    )
    detail_url = link["href"]
    page = Page((await client.get(detail_url)).text)
    form_key = page.field("form_key")["value"]

    wrong = await post_form(
        client, f"{detail_url}/changes", {"quantity": "lots", "form_key": form_key}
    )
    assert wrong.status_code == 422
    assert "A whole number of licenses" in Page(wrong.text).by_id("f-quantity-error").text

    asked = await post_form(
        client, f"{detail_url}/changes", {"quantity": "5", "form_key": form_key}
    )
    assert asked.status_code == 303, asked.text
    again = await post_form(
        client, f"{detail_url}/changes", {"quantity": "5", "form_key": form_key}
    )
    assert again.status_code == 303  # the same form sent twice: one change
    shown = Page((await client.get(detail_url)).text)
    assert "Requested: being sent to Microsoft" in shown.text
    await run_queued(job_queue)
    shown = Page((await client.get(detail_url)).text)
    assert "Licenses 3 → 5" in shown.text and "Done" in shown.text
    assert (await in_sandbox(settings, sqlite_sandbox, bought)).quantity == 5
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(SubscriptionChange)) == 1


async def test_a_customer_user_only_looks_and_another_reseller_gets_404(
    client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
    people: People, sqlite_sandbox: Sandbox,
) -> None:  # fmt: skip
    bought = await buy(database, settings, sqlite_sandbox, world.customer_a.organization)
    async with database.transaction() as session:
        token = await make_token(session, world.customer_a.organization, Role.CUSTOMER_USER)
    user = Party(world.customer_a.organization, token)
    assert (await client.get(bought.url(), headers=user.headers)).status_code == 200
    refused = await client.post(bought.url("/changes"), json={"quantity": 4}, headers=user.headers)
    assert refused.status_code == 403
    for stranger in (world.reseller_b, world.customer_b):
        assert (await client.get(bought.url(), headers=stranger.headers)).status_code == 404
        asked = await client.post(
            bought.url("/changes"), json={"quantity": 4}, headers=stranger.headers
        )
        assert asked.status_code == 404
    bad = await client.post(bought.url("/changes"), json={"quantity": 0},
                            headers=world.customer_a.headers)  # fmt: skip
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].endswith("quantity")
    both = await client.post(bought.url("/changes"), json={"quantity": 4, "auto_renew": False},
                             headers=world.customer_a.headers)  # fmt: skip
    assert both.status_code == 422 and both.json()["errors"][0]["rule"] == "one_change"
    await sign_in(client, people.reseller_b_admin.email)
    page = await client.get(f"/organizations/{world.customer_a.id}/subscriptions/{bought.row_id}")
    assert page.status_code == 404


async def test_twenty_identical_requests_at_once_make_one_change(
    client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
    sqlite_sandbox: Sandbox, job_queue: JobQueue,
) -> None:  # fmt: skip
    if database.is_sqlite:
        pytest.skip("concurrent writers: PostgreSQL")
    org = world.direct_customer.organization
    bought = await buy(database, settings, sqlite_sandbox, org)
    await agreement_accepted(database, org.id)
    headers = world.direct_customer.headers | {"Idempotency-Key": "twenty-at-once"}
    answers = await asyncio.gather(*(
        client.post(bought.url("/changes"), json={"quantity": 6}, headers=headers)
        for _ in range(20)
    ))  # fmt: skip
    assert sorted({a.status_code for a in answers}) in ([200, 202], [202]), [
        a.text for a in answers if a.status_code not in (200, 202)
    ]
    assert len({a.json()["id"] for a in answers}) == 1
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(SubscriptionChange)) == 1
    await run_queued(job_queue)
    assert (await in_sandbox(settings, sqlite_sandbox, bought)).quantity == 6
