"""The sync against another implementation of the contract (tests/sync/other_partner_center.py),
and what the audit records make it do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from tenantry.db import Database
from tenantry.models import (
    Organization,
    PartnerCenterAccount,
    SyncChange,
    SyncRun,
    SyncRunStatus,
    SyncScope,
)
from tenantry.partnercenter import access
from tenantry.settings import Settings
from tenantry.sync.engine import run_sync
from tenantry.sync.tasks import poll_audit_records
from tests.factories import World
from tests.sync.conftest import queue_run, reload, state, sync
from tests.sync.other_partner_center import URL, OtherPartnerCenter

NAMES = ["株式会社 山田商事", "Ελληνική Εταιρεία", "شركة الخليج", "Ōsaka Trading GmbH",
         "Société Générale d'Été", "Компания Ромашка"]  # fmt: skip


@pytest.fixture
def other(settings: Settings, world: World) -> Iterator[OtherPartnerCenter]:
    service = OtherPartnerCenter()
    configured = settings.model_copy(
        update={"partner_center_api_url": URL, "partner_center_login_url": URL,
                "partner_center_requests_per_minute": 60_000}
    )  # fmt: skip
    access.configure(configured, service.transport())
    yield service
    access.configure(settings)


def seed(service: OtherPartnerCenter, world: World) -> None:
    import uuid

    first, second = uuid.uuid4(), uuid.uuid4()
    service.resellers[first] = ("Alpha Reseller", world.reseller_a.organization.mpn_id or "")
    service.resellers[second] = ("Nordic Cloud Partners", "5550001")
    for n in range(20):
        service.add(f"{NAMES[n % len(NAMES)]} {n}", reseller=(first, second, None, None)[n % 4],
                    complete=n != 3)  # fmt: skip


async def test_another_implementation_syncs_the_same(
    database: Database, world: World, other: OtherPartnerCenter
) -> None:
    seed(other, world)
    run = await sync(database, world.platform.id)
    assert run.status is SyncRunStatus.SUCCEEDED, run.error
    assert run.created == 20 + 1  # every customer, and Nordic Cloud Partners
    async with database.transaction(write=False) as session:
        alpha = await session.get(Organization, world.reseller_a.id)
        assert alpha is not None and alpha.tenant_id is not None  # taken by its MPN ID
        by_tenant = {
            a.tenant_id: a
            for a in await session.scalars(
                select(PartnerCenterAccount).where(PartnerCenterAccount.kind == "customer")
            )
        }
        assert len(by_tenant) == 20
        for account in other.customers.values():
            stored = by_tenant[account.tenant_id]
            organization = await session.get(Organization, stored.organization_id)
            assert organization is not None and organization.legal_name == account.name
            expected_parent = (
                alpha.id if account.reseller == alpha.tenant_id
                else world.platform.id if account.reseller is None else organization.parent_id
            )  # fmt: skip
            assert organization.parent_id == expected_parent
            assert stored.reseller_tenant_id == account.reseller
        incomplete = [a for a in by_tenant.values() if a.billing_missing]
        assert len(incomplete) == 1 and "email" in incomplete[0].billing_missing
    settled = await state(database, world.platform.id)
    other.calls.clear()

    again = await sync(database, world.platform.id)

    # 20 customers at 7 a page, each reseller's customers in a page, resellers, audit records.
    assert dict(other.calls) == {"customers": 3 + 2, "relationships": 1, "auditrecords": 1}
    assert again.calls_made == 7 and again.created == again.updated == 0
    assert await state(database, world.platform.id) == settled


async def test_a_refused_continuation_token_restarts_the_listing(
    database: Database, world: World, other: OtherPartnerCenter
) -> None:
    seed(other, world)
    run = await queue_run(database, world.platform.id)
    async with database.transaction() as session:  # as if killed with a token gone stale
        await session.execute(update(SyncRun).where(SyncRun.id == run.id).values(
            checkpoint={"phase": "customers", "token": "expired-token", "resellers": []}))  # fmt: skip
    await run_sync(database, access.current(), run.id)
    done = await reload(database, run.id)
    assert done.status is SyncRunStatus.SUCCEEDED, done.error
    assert done.created == 20


async def test_audit_records_sync_new_customers_and_changed_bill_to(
    database: Database, world: World, other: OtherPartnerCenter
) -> None:
    seed(other, world)
    await sync(database, world.platform.id)
    changed = next(iter(other.customers.values()))
    changed.billing = {**changed.billing, "email": "billing@changed.example"}
    other.record("update_customer_billing_profile", changed.tenant_id)
    added = other.add("Neu Hinzugefügt AG")
    other.record("add_customer", added.tenant_id)

    async with database.transaction() as session:
        assert await poll_audit_records(session) == 2
    async with database.transaction(write=False) as session:
        queued = list(await session.scalars(select(SyncRun).where(
            SyncRun.scope == SyncScope.ORGANIZATION, SyncRun.status == "queued")))  # fmt: skip
    assert {r.scope_tenant_id for r in queued} == {changed.tenant_id, added.tenant_id}
    for queued_run in queued:
        await run_sync(database, access.current(), queued_run.id)
        assert (await reload(database, queued_run.id)).status is SyncRunStatus.SUCCEEDED

    async with database.transaction(write=False) as session:
        new = await session.scalar(
            select(Organization).where(Organization.tenant_id == added.tenant_id)
        )
        assert new is not None and new.legal_name == "Neu Hinzugefügt AG"
        holder = await session.scalar(
            select(Organization).where(Organization.tenant_id == changed.tenant_id)
        )
        assert holder is not None
        assert holder.contact_email != "billing@changed.example"  # bill-to is not written
        change = await session.scalar(
            select(SyncChange).where(
                SyncChange.organization_id == holder.id, SyncChange.action == "updated"
            )
        )
        assert change is not None
        assert change.changes["billing.email"][1] == "billing@changed.example"
    async with database.transaction() as session:  # the cursor moved: nothing new to read
        assert await poll_audit_records(session) == 0


async def test_a_customer_that_left_its_reseller_is_no_longer_attributed_to_it(
    database: Database, world: World, other: OtherPartnerCenter
) -> None:
    seed(other, world)
    assert (await sync(database, world.platform.id)).status is SyncRunStatus.SUCCEEDED
    leaving, staying = [a for a in other.customers.values() if a.reseller is not None][:2]
    leaving.reseller = None  # the reseller relationship ended; still the platform's customer

    again = await sync(database, world.platform.id)

    assert again.status is SyncRunStatus.SUCCEEDED, again.error
    async with database.transaction(write=False) as session:
        accounts = {
            a.tenant_id: a
            for a in await session.scalars(
                select(PartnerCenterAccount).where(PartnerCenterAccount.kind == "customer")
            )
        }
    assert accounts[leaving.tenant_id].reseller_tenant_id is None
    assert accounts[staying.tenant_id].reseller_tenant_id == staying.reseller
    # The no-change cost (7 calls), and the bill-to and subscriptions of the one that left.
    assert again.calls_made == 7 + 2
