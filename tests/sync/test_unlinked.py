"""Partner Center accounts no organization holds: the list, the count in the staff menu, and
the daily email of new ones (through a real local SMTP server)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select

from tenantry.db import Database
from tenantry.jobs import registry as jobs_registry
from tenantry.jobs.queue import JobQueue
from tenantry.models import (
    MatchProposal,
    MatchStatus,
    Organization,
    PartnerCenterAccountKind,
    Role,
    SyncCursor,
    utcnow,
)
from tenantry.settings import Settings
from tenantry.sync.unlinked.tasks import announce_all
from tests.factories import World, make_user
from tests.jobs.conftest import clock, job_queue, run_queued  # noqa: F401  (fixtures used here)
from tests.notifications.conftest import mail_settings, smtp_server  # noqa: F401
from tests.notifications.local_smtp import LocalSmtpServer
from tests.sync.test_billto_pages import text_of
from tests.sync.visibility import add_account, profile_of
from tests.web.html import Page

EARLIER = utcnow() - timedelta(days=2)


async def some_accounts(database: Database, world: World) -> dict[str, uuid.UUID]:
    """Reseller A's partner tenant has two customers in Partner Center no organization holds
    (one with an incomplete bill-to and a proposed match); the platform has one of its own, one
    gone from Partner Center and one linked to customer A."""
    async with database.transaction() as session:
        platform = world.platform.id
        reseller = await session.get_one(Organization, world.reseller_a.id)
        reseller.tenant_id = uuid.uuid4()
        customer = await session.get_one(Organization, world.customer_a.id)
        incomplete = profile_of(customer, postalCode="")
        ids = {
            "fabrikam": (await add_account(session, platform, company_name="Fabrikam Ltd",
                                           reseller_tenant_id=reseller.tenant_id,
                                           first_seen_at=EARLIER)).id,
            "tailspin": (await add_account(session, platform, company_name="Tailspin Toys",
                                           reseller_tenant_id=reseller.tenant_id,
                                           profile=incomplete,
                                           default_domain="tailspin.example")).id,
            "direct": (await add_account(session, platform, company_name="Direct Unheld Oy")).id,
        }  # fmt: skip
        await add_account(session, platform, company_name="Gone Corp", gone_at=utcnow())
        await add_account(session, platform, organization=customer, company_name="Alpha")
        await add_account(session, platform, company_name="Alpha Reseller In PC",
                          kind=PartnerCenterAccountKind.RESELLER, tenant_id=reseller.tenant_id,
                          organization_id=reseller.id)  # fmt: skip
        proposal = MatchProposal(
            platform_id=platform, organization_id=customer.id, account_id=ids["tailspin"],
            pair_key=f"{customer.id}:{ids['tailspin']}", evidence=[], status=MatchStatus.OPEN,
        )  # fmt: skip
        session.add(proposal)
        return ids


def companies(response: httpx.Response) -> list[str]:
    page = Page(response.text)
    return [th.text.split(" Tenant ")[0] for th in page.find_all("th", scope="row")]


async def test_the_list_shows_what_no_organization_holds_scoped_to_the_reseller(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    await some_accounts(database, world)
    as_platform = await client.get("/sync/unlinked", headers=world.platform.headers)
    assert as_platform.status_code == 200
    assert companies(as_platform) == ["Direct Unheld Oy", "Tailspin Toys", "Fabrikam Ltd"]
    said = text_of(as_platform)
    assert "Incomplete: lacks postal code" in said
    assert "tailspin.example" in said
    assert '<a href="/sync/matches">1 proposed match</a>' in as_platform.text
    assert f'<a href="/organizations/{world.reseller_a.id}">Alpha Reseller</a>' in as_platform.text

    as_reseller = await client.get("/sync/unlinked", headers=world.reseller_a.headers)
    assert companies(as_reseller) == ["Tailspin Toys", "Fabrikam Ltd"]
    as_other = await client.get("/sync/unlinked", headers=world.reseller_b.headers)
    assert companies(as_other) == []
    assert "Every customer Partner Center lists is held by an organization" in text_of(as_other)
    assert (await client.get("/sync/unlinked", headers=world.customer_a.headers)).status_code == 403


async def test_the_staff_menu_counts_them(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    before = await client.get("/organizations", headers=world.platform.headers)
    assert "unlinked" not in text_of(before) and 'href="/sync"' in before.text
    await some_accounts(database, world)
    for party, count in ((world.platform, 3), (world.reseller_a, 2)):
        page = await client.get("/organizations", headers=party.headers)
        assert f"Partner Center: {count} unlinked" in text_of(page)
    other = await client.get("/organizations", headers=world.reseller_b.headers)
    assert "unlinked" not in text_of(other)
    customer = await client.get("/organizations", headers=world.customer_a.headers)
    assert 'href="/sync"' not in customer.text


def test_the_daily_email_is_a_periodic_job() -> None:
    jobs_registry.discover()
    assert "sync.unlinked_daily" in [p.name for p in jobs_registry.periodic_jobs()]


async def test_the_daily_email_tells_the_platform_admins_of_new_ones_once(
    database: Database, world: World, job_queue: JobQueue,  # noqa: F811
    mail_settings: Settings, smtp_server: LocalSmtpServer,  # noqa: F811
) -> None:  # fmt: skip
    async with database.transaction() as session:
        platform = await session.get_one(Organization, world.platform.id)
        admins = [await make_user(session, platform, Role.PLATFORM_ADMIN) for _ in range(2)]
        await make_user(session, platform, Role.PLATFORM_STAFF)
    emails = sorted(a.email for a in admins)
    async with database.transaction() as session:
        assert await announce_all(session) == 0
    await some_accounts(database, world)

    async with database.transaction() as session:
        assert await announce_all(session) == 3
    await run_queued(job_queue)
    [mail] = smtp_server.mailbox.received
    assert sorted(mail.recipients) == emails
    assert mail.subject == "Partner Center: 3 new customers no organization holds"
    text = mail.part("plain")
    for name in ("Fabrikam Ltd", "Tailspin Toys", "Direct Unheld Oy"):
        assert name in text
    assert "Gone Corp" not in text and "Alpha Reseller In PC" not in text
    assert "reseller Alpha Reseller" in text
    assert "Bill-to incomplete in Partner Center: lacks postal code" in text
    assert "https://csp.example.com/sync/unlinked" in text
    assert 'href="https://csp.example.com/sync/unlinked"' in mail.part("html")

    async with database.transaction() as session:
        assert await announce_all(session) == 0
        cursor = await session.get_one(SyncCursor, world.platform.id)
        first_until = cursor.unlinked_announced_until
        await add_account(session, world.platform.id, company_name="Newcomer GmbH")
    async with database.transaction() as session:
        assert await announce_all(session) == 1
    await run_queued(job_queue)
    assert len(smtp_server.mailbox.received) == 2
    newest = smtp_server.mailbox.received[-1]
    assert newest.subject == "Partner Center: 1 new customer no organization holds"
    assert "Newcomer GmbH" in newest.part("plain") and "Fabrikam" not in newest.part("plain")
    async with database.transaction(write=False) as session:
        cursor = await session.get_one(SyncCursor, world.platform.id)
        assert first_until is not None and cursor.unlinked_announced_until is not None
        assert cursor.unlinked_announced_until > first_until
        assert (await session.scalars(select(SyncCursor))).all() == [cursor]
