"""The compliance view: every customer in scope with its status, the orders and renewals at risk
in the next 30 days, filters, CSV, the page; and the daily digest when something is at risk."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import httpx

from tenantry.agreements.compliance.digest import send_digests
from tenantry.db import Database
from tenantry.jobs import registry
from tenantry.jobs.queue import JobQueue
from tenantry.models import Organization
from tenantry.settings import Settings
from tests.agreements.compliance.rows import attested, missing, open_order, subscription
from tests.factories import World
from tests.jobs.conftest import run_queued
from tests.notifications.local_smtp import LocalSmtpServer

URL = "/api/v1/agreements/compliance"


async def at_risk_world(database: Database, world: World) -> None:
    """Alpha Customer: missing, renewing in 10 days. Beta Customer: missing, an order waiting.
    Direct Customer: accepted, renewing in 10 days (not at risk)."""
    await missing(database, world.customer_a)
    await subscription(database, world.customer_a, ends_in=timedelta(days=10))
    await subscription(database, world.customer_a, ends_in=timedelta(days=45), name="Later")
    await subscription(database, world.customer_a, ends_in=timedelta(days=5),
                       auto_renew=False, name="Ending")  # fmt: skip
    await missing(database, world.customer_b)
    await open_order(database, world.customer_b)
    await attested(database, world.direct_customer, world.platform)
    await subscription(database, world.direct_customer, ends_in=timedelta(days=10))


def by_name(answer: httpx.Response) -> dict[str, dict[str, Any]]:
    assert answer.status_code == 200, answer.text
    return {item["name"]: item for item in answer.json()["items"]}


async def test_what_is_at_risk_within_30_days(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await at_risk_world(database, world)

    rows = by_name(await client.get(URL, headers=world.platform.headers))

    assert set(rows) == {"Alpha Customer", "Beta Customer", "Direct Customer"}
    alpha, beta, direct = rows["Alpha Customer"], rows["Beta Customer"], rows["Direct Customer"]
    assert alpha["state"] == "missing" and alpha["at_risk"] is True
    assert [r["name"] for r in alpha["renewals"]] == ["Microsoft 365 Business Premium"], (
        "neither a renewal after 30 days nor a subscription that does not renew counts"
    )
    assert beta["open_orders"] == 1 and beta["at_risk"] is True
    assert direct["state"] == "accepted" and direct["route"] == "staff_attestation"
    assert direct["at_risk"] is False, "an accepted customer renews"
    assert alpha["agreements_url"] == f"/organizations/{world.customer_a.id}/agreements"


async def test_filters_and_a_resellers_scope(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await at_risk_world(database, world)
    staff = world.platform.headers

    mine = by_name(await client.get(URL, headers=world.reseller_a.headers))
    accepted = by_name(await client.get(f"{URL}?state=accepted", headers=staff))
    risky = by_name(await client.get(f"{URL}?at_risk=true", headers=staff))
    named = by_name(await client.get(f"{URL}?q=beta", headers=staff))
    through_b = by_name(await client.get(f"{URL}?reseller={world.reseller_b.id}", headers=staff))
    customer = await client.get(URL, headers=world.customer_a.headers)

    assert set(mine) == {"Alpha Customer"}
    assert set(accepted) == {"Direct Customer"}
    assert set(risky) == {"Alpha Customer", "Beta Customer"}
    assert set(named) == set(through_b) == {"Beta Customer"}
    assert customer.status_code == 403 and "compliance view" in customer.text


async def test_the_csv_and_the_page(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await at_risk_world(database, world)

    answer = await client.get(f"{URL}?format=csv&at_risk=true", headers=world.reseller_a.headers)
    page = await client.get("/agreements/compliance", headers=world.platform.headers)
    page_csv = await client.get("/agreements/compliance?format=csv", headers=world.platform.headers)

    rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    assert [(r["customer"], r["state"], r["at_risk"]) for r in rows] == [
        ("Alpha Customer", "missing", "yes"),
    ]
    assert "Microsoft 365 Business Premium (" in rows[0]["renewals_within_30_days"]
    assert page.status_code == 200
    assert 'href="/agreements/compliance" aria-current="page"' in page.text
    assert f'href="/organizations/{world.customer_a.id}/agreements"' in page.text
    assert "2 at risk" in page.text and "117a77b0" not in page.text
    assert len(list(csv.reader(io.StringIO(page_csv.text.lstrip("\ufeff"))))) == 4


def test_the_digest_and_the_refresh_are_periodic_jobs() -> None:
    registry.discover()
    names = [p.name for p in registry.periodic_jobs()]
    assert "agreements.digest" in names and "agreements.refresh" in names


async def test_the_digest_goes_once_a_day_and_only_when_something_is_at_risk(
    database: Database, world: World, job_queue: JobQueue,
    mail_settings: Settings, smtp_server: LocalSmtpServer,
) -> None:  # fmt: skip
    await attested(database, world.direct_customer, world.platform)
    await subscription(database, world.direct_customer, ends_in=timedelta(days=10))
    async with database.transaction() as session:
        assert await send_digests(session) == 0, "nothing at risk: no email"

    await at_risk_world(database, world)
    for _ in range(2):
        async with database.transaction() as session:
            await send_digests(session)
    await run_queued(job_queue)

    mails = {tuple(m.recipients): m for m in smtp_server.mailbox.received}
    platform = world.platform.organization.contact_email
    reseller_a = world.reseller_a.organization.contact_email
    reseller_b = world.reseller_b.organization.contact_email
    assert sorted(mails) == sorted([(platform,), (reseller_a,), (reseller_b,)]), (
        "one email each, not two for the same day"
    )
    text = mails[(reseller_a,)].part("plain")
    assert "Alpha Customer" in text and "Beta Customer" not in text
    assert "Microsoft Customer Agreement: missing" in text
    assert f"/organizations/{world.customer_a.id}/agreements" in text
    assert mails[(platform,)].subject.startswith("2 customers at risk")


async def test_a_seller_without_an_address_does_not_keep_the_others_from_their_digest(
    database: Database, world: World, job_queue: JobQueue,
    mail_settings: Settings, smtp_server: LocalSmtpServer,
) -> None:  # fmt: skip
    """A reseller the sync brought in from Partner Center has no contact address yet."""
    await at_risk_world(database, world)
    async with database.transaction() as session:
        reseller_a = await session.get(Organization, world.reseller_a.id)
        assert reseller_a is not None
        reseller_a.contact_email = ""

    async with database.transaction() as session:
        queued = await send_digests(session)
    await run_queued(job_queue)

    assert queued == 2
    recipients = sorted(tuple(m.recipients) for m in smtp_server.mailbox.received)
    assert recipients == sorted(
        [
            (world.platform.organization.contact_email,),
            (world.reseller_b.organization.contact_email,),
        ]
    )
