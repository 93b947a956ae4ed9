"""Relationship-accepted webhooks link or create the organization; races of links and a sync
of one tenant end in one organization; a platform with no sync gets a first one."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from fastapi import FastAPI
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import OperationalError

from tenantry.db import Database
from tenantry.models import (
    LinkMethod,
    MicrosoftTenant,
    Organization,
    PartnerCenterAccount,
    PartnerCenterEvent,
    SyncCursor,
    SyncRun,
    SyncRunStatus,
    SyncScope,
    SyncTrigger,
    utcnow,
)
from tenantry.organizations.tenant_check import TenantHeldElsewhere
from tenantry.partnercenter_events import registry
from tenantry.sync import tasks
from tenantry.sync.events import sync_customer
from tenantry.sync.runs import cursor_for_update
from tenantry.tenants.linking import TenantFacts, link_tenant
from tests.factories import World, make_organization
from tests.sandbox.conftest import Sandbox
from tests.sync.conftest import reload, sync


def accepted(
    platform_id: uuid.UUID, customer_id: str,
    name: str = "reseller-relationship-accepted-by-customer",
) -> PartnerCenterEvent:  # fmt: skip
    return PartnerCenterEvent(
        id=uuid.uuid4(), platform_id=platform_id, body_sha256=uuid.uuid4().hex * 2,
        event_name=name,
        resource_uri=f"https://api.partnercenter.microsoft.com/v1/customers/{customer_id}",
        body={}, received_at=utcnow(),
    )  # fmt: skip


async def handle_event(database: Database, event: PartnerCenterEvent) -> list[str | None]:
    """Every domain's handlers of the event in one transaction, as the events job runs them."""
    async with database.transaction() as session:
        return [
            await handler(session, event) for handler in registry.handlers_for(event.event_name)
        ]


async def run_queued_syncs(database: Database) -> list[SyncRun]:
    """Run the queued runs through the ``sync.run`` job handler."""
    async with database.transaction(write=False) as session:
        queued = list(await session.scalars(select(SyncRun).where(SyncRun.status == "queued")))
    for run in queued:
        async with database.transaction() as session:
            await tasks.run(session, {"run_id": str(run.id)})
    return [await reload(database, run.id) for run in queued]


async def test_an_accepted_relationship_creates_the_organization_of_a_new_customer(
    app: FastAPI, database: Database, network: World, sqlite_sandbox: Sandbox
) -> None:
    assert sync_customer in registry.handlers_for(
        "indirect-reseller-relationship-accepted-by-customer"
    )
    customer = await sqlite_sandbox.customer(company_name="Hooked Industries Inc", country="US")
    said = await handle_event(database, accepted(network.platform.id, customer["id"]))
    assert any(s and s.startswith("queued the sync of the tenant") for s in said), said

    [run] = await run_queued_syncs(database)

    assert run.status is SyncRunStatus.SUCCEEDED, run.error
    assert run.scope is SyncScope.ORGANIZATION and run.trigger is SyncTrigger.WEBHOOK
    async with database.transaction(write=False) as session:
        organization = await session.scalar(
            select(Organization).where(Organization.tenant_id == uuid.UUID(customer["id"]))
        )
        assert organization is not None and organization.legal_name == "Hooked Industries Inc"
        link = await session.get(MicrosoftTenant, organization.id)
        assert link is not None and link.link_method is LinkMethod.SYNCED


async def test_an_accepted_relationship_of_a_waiting_organization_is_linked_once(
    app: FastAPI, database: Database, network: World, sqlite_sandbox: Sandbox
) -> None:
    customer = await sqlite_sandbox.customer(company_name="Already Here ApS", country="US")
    tenant = uuid.UUID(customer["id"])
    async with database.transaction() as session:  # as the tenants package's handler does
        waiting = await session.get(Organization, network.customer_a.id)
        assert waiting is not None
        await link_tenant(session, None, waiting, TenantFacts(tenant), LinkMethod.WEBHOOK)
    await handle_event(database, accepted(network.platform.id, customer["id"]))
    [run] = await run_queued_syncs(database)
    assert run.status is SyncRunStatus.SUCCEEDED and run.created == 0
    async with database.transaction(write=False) as session:
        holders = list(
            await session.scalars(select(Organization).where(Organization.tenant_id == tenant))
        )
        account = await session.scalar(
            select(PartnerCenterAccount).where(PartnerCenterAccount.tenant_id == tenant)
        )
    assert [h.id for h in holders] == [network.customer_a.id]
    assert account is not None and account.organization_id == network.customer_a.id


async def _link(database: Database, organization_id: uuid.UUID, tenant: uuid.UUID) -> str:
    try:
        async with database.transaction() as session:
            organization = await session.get(Organization, organization_id)
            assert organization is not None
            await link_tenant(session, None, organization, TenantFacts(tenant), LinkMethod.ENTERED)
    except TenantHeldElsewhere:
        return "refused"
    except OperationalError as exc:
        # SQLite's one writer: 21 writers at once on a loaded 2-core host, and one may wait out
        # the 10 s busy timeout (docs/notifications.md) and give up having written nothing, as
        # a person's request would. The one-organization assertions hold whatever it did.
        if database.is_sqlite and "database is locked" in str(exc):
            return "busy"
        raise
    return "linked"


@pytest.mark.parametrize("attempts", [20])
async def test_links_and_a_sync_of_one_tenant_at_once_end_in_one_organization(
    app: FastAPI, database: Database, network: World, sqlite_sandbox: Sandbox, attempts: int
) -> None:
    customer = await sqlite_sandbox.customer(company_name="Raced Corp", country="US")
    tenant = uuid.UUID(customer["id"])
    async with database.transaction() as session:
        platform = await session.get(Organization, network.platform.id)
        assert platform is not None
        contenders = [
            (await make_organization(session, platform, legal_name=f"Contender {n}")).id
            for n in range(attempts)
        ]
    outcomes = await asyncio.gather(
        *(_link(database, organization, tenant) for organization in contenders),
        sync(database, network.platform.id, scope=SyncScope.ORGANIZATION, tenant_id=tenant),
    )
    links = [o for o in outcomes if isinstance(o, str)]
    async with database.transaction(write=False) as session:
        holders = await session.scalar(
            select(func.count()).select_from(Organization).where(Organization.tenant_id == tenant)
        )
        made = await session.scalar(
            select(func.count())
            .select_from(Organization)
            .where(Organization.legal_name == "Raced Corp")
        )
    assert holders == 1
    assert made is not None  # a count
    assert links.count("linked") + made == 1
    again = await sync(
        database, network.platform.id, scope=SyncScope.ORGANIZATION, tenant_id=tenant
    )
    assert again.created == 0
    async with database.transaction(write=False) as session:
        account = await session.scalar(
            select(PartnerCenterAccount).where(PartnerCenterAccount.tenant_id == tenant)
        )
        holder = await session.scalar(
            select(Organization.id).where(Organization.tenant_id == tenant)
        )
    assert account is not None and account.organization_id == holder


async def test_a_platform_without_a_sync_gets_a_first_one(
    app: FastAPI, database: Database, network: World, sqlite_sandbox: Sandbox
) -> None:
    await sqlite_sandbox.customer(company_name="First Light Ltd", country="GB")
    async with database.transaction() as session:
        first = await tasks.queue_first_sync(session)
    assert first is not None and first.trigger is SyncTrigger.START
    async with database.transaction() as session:
        assert await tasks.queue_first_sync(session) is None  # one is queued: no second
    [run] = await run_queued_syncs(database)
    assert run.status is SyncRunStatus.SUCCEEDED and run.created >= 1


async def test_two_requests_creating_a_platform_s_cursor_at_once_both_get_it(
    database: Database, network: World
) -> None:
    """ "Sync now" and the worker's first sync of a new platform both create its cursor row: the
    second waits for the first's insert, meets the unique key, and takes the first's row."""
    if database.is_sqlite:
        pytest.skip("SQLite runs one writing transaction at a time: the two cannot overlap")
    async with database.transaction() as session:
        await session.execute(
            delete(SyncCursor).where(SyncCursor.platform_id == network.platform.id)
        )
    first_has_it, first_may_commit = asyncio.Event(), asyncio.Event()

    async def first() -> uuid.UUID:
        async with database.transaction() as session:
            cursor = await cursor_for_update(session, network.platform.id)
            first_has_it.set()
            await first_may_commit.wait()
            return cursor.platform_id

    async def second() -> uuid.UUID:
        await first_has_it.wait()
        async with database.transaction() as session:
            return (await cursor_for_update(session, network.platform.id)).platform_id

    async def second_waits() -> bool:
        async with database.transaction(write=False) as session:
            waiting = await session.scalar(
                text("SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> pg_backend_pid()")
            )
        return bool(waiting)

    tasks_ = [asyncio.create_task(first()), asyncio.create_task(second())]
    await first_has_it.wait()
    deadline = asyncio.get_running_loop().time() + 30
    while not await second_waits():  # the second's insert waits for the first's
        assert asyncio.get_running_loop().time() < deadline, "the second never waited"
        await asyncio.sleep(0.01)
    first_may_commit.set()
    assert await asyncio.gather(*tasks_) == [network.platform.id, network.platform.id]
    async with database.transaction(write=False) as session:
        rows = await session.scalar(
            select(func.count())
            .select_from(SyncCursor)
            .where(SyncCursor.platform_id == network.platform.id)
        )
    assert rows == 1
