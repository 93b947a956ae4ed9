"""The sync history (/sync, /sync/runs/{id}), Sync now (joining a run under way), and the
organization's "Partner Center sync" section; each scoped to what the caller may see."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from tenantry.db import Database
from tenantry.models import (
    AuditEvent,
    Organization,
    OrganizationSource,
    Role,
    SyncChange,
    SyncRun,
    SyncRunError,
    SyncRunStatus,
    SyncScope,
    SyncTrigger,
    utcnow,
)
from tests.factories import World, make_token
from tests.sync.test_billto_pages import text_of
from tests.sync.visibility import add_run
from tests.web.html import Page


async def some_runs(database: Database, world: World) -> dict[str, SyncRun]:
    """A nightly platform run with two errors, a run of reseller A, one of A's customer, one
    of reseller B."""
    async with database.transaction() as session:
        platform = world.platform.id
        nightly = await add_run(session, platform, created=3, updated=2, unchanged=95,
                                matched=1, merged=0, failed=2, calls_made=41, calls_saved=380,
                                seconds=125)  # fmt: skip
        customer = await session.get_one(Organization, world.customer_a.id)
        customer.tenant_id = uuid.uuid4()
        session.add_all([
            SyncRunError(run_id=nightly.id, tenant_id=customer.tenant_id,
                         company_name="Alpha Customer", code="bill_to_unreadable",
                         message="Partner Center answered 500 three times",
                         occurred_at=utcnow()),
            SyncRunError(run_id=nightly.id, tenant_id=uuid.uuid4(), company_name="Nobody Held",
                         code="forbidden", message="403 from Partner Center",
                         occurred_at=utcnow()),
        ])  # fmt: skip
        return {
            "nightly": nightly,
            "reseller_a": await add_run(session, platform, scope=SyncScope.RESELLER,
                                        organization_id=world.reseller_a.id,
                                        trigger=SyncTrigger.MANUAL),
            "customer_a": await add_run(session, platform, scope=SyncScope.ORGANIZATION,
                                        organization_id=world.customer_a.id,
                                        trigger=SyncTrigger.WEBHOOK),
            "reseller_b": await add_run(session, platform, scope=SyncScope.RESELLER,
                                        organization_id=world.reseller_b.id),
        }  # fmt: skip


def run_links(response: httpx.Response) -> set[str]:
    return {
        a["href"].rsplit("/", 1)[-1]
        for a in Page(response.text).find_all("a")
        if a["href"].startswith("/sync/runs/")
    }


async def test_the_history_lists_runs_with_counts_duration_and_calls(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    runs = await some_runs(database, world)
    page = await client.get("/sync", headers=world.platform.headers)
    assert page.status_code == 200
    assert run_links(page) == {str(r.id) for r in runs.values()}
    rows = Page(page.text).find_all("tr")
    row = next(r for r in rows if "2 min 5 s" in r.text)
    start = Page(page.text).elements.index(row)
    cells = [e.text for e in Page(page.text).elements[start:] if e.tag in ("td", "th")][:13]
    assert cells[1:] == ["Scheduled", "Whole platform", "Succeeded", "2 min 5 s", "3", "2", "95",
                         "1", "0", "2", "41", "380"]  # fmt: skip
    assert "Sync the whole platform now" in text_of(page)


async def test_a_reseller_sees_only_runs_of_its_own_scope(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    runs = await some_runs(database, world)
    page = await client.get("/sync", headers=world.reseller_a.headers)
    assert run_links(page) == {str(runs["reseller_a"].id), str(runs["customer_a"].id)}
    assert "Sync your customers now" in text_of(page)
    for name in ("nightly", "reseller_a"):
        foreign = await client.get(f"/sync/runs/{runs[name].id}", headers=world.reseller_b.headers)
        assert foreign.status_code == 404
    mine = await client.get(f"/sync/runs/{runs['reseller_b'].id}", headers=world.reseller_b.headers)
    assert mine.status_code == 200
    assert (await client.get("/sync", headers=world.customer_a.headers)).status_code == 403


async def test_a_run_lists_each_error_with_the_customer_it_concerns(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    runs = await some_runs(database, world)
    page = await client.get(f"/sync/runs/{runs['nightly'].id}", headers=world.platform.headers)
    said = text_of(page)
    assert "Partner Center answered 500 three times" in said and "403 from Partner Center" in said
    links = {a.text: a["href"] for a in Page(page.text).find_all("a")}
    assert links["Alpha Customer"] == f"/organizations/{world.customer_a.id}"
    assert "Nobody Held" not in links and "Nobody Held" in said
    assert "Calls saved 380" in said and "Failed 2" in said


async def test_sync_now_queues_a_run_and_a_second_request_joins_it(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    first = await client.post("/sync/now", headers=world.platform.headers)
    assert first.status_code == 303
    shown = await client.get(first.headers["location"], headers=world.platform.headers)
    assert "Sync queued" in text_of(shown)
    [queued] = run_links(shown)
    second = await client.post("/sync/now", headers=world.platform.headers)
    joined = await client.get(second.headers["location"], headers=world.platform.headers)
    assert "you joined the sync already running" in text_of(joined)
    assert run_links(joined) == {queued}
    # A platform run not started yet covers the reseller's request too.
    covered = await client.post("/sync/now", headers=world.reseller_a.headers)
    said = text_of(await client.get(covered.headers["location"], headers=world.reseller_a.headers))
    assert "you joined the sync already running" in said

    async with database.transaction() as session:
        platform_run = await session.get_one(SyncRun, uuid.UUID(queued))
        platform_run.status = SyncRunStatus.RUNNING
    by_reseller = await client.post("/sync/now", headers=world.reseller_a.headers)
    assert by_reseller.headers["location"] == "/sync?done=queued"
    async with database.transaction(write=False) as session:
        rows = (await session.scalars(select(SyncRun).order_by(SyncRun.created_at))).all()
        events = (
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "sync.requested")
                .order_by(AuditEvent.occurred_at)
            )
        ).all()
    assert [(r.scope, r.scope_organization_id, r.trigger, r.joined) for r in rows] == [
        (SyncScope.PLATFORM, None, SyncTrigger.MANUAL, 2),
        (SyncScope.RESELLER, world.reseller_a.id, SyncTrigger.MANUAL, 0),
    ]
    assert [e.changes["joined"] for e in events] == [False, True, True, False]

    async with database.transaction() as session:
        reseller = await session.get_one(Organization, world.reseller_a.id)
        staff = {
            "Authorization": f"Bearer {await make_token(session, reseller, Role.RESELLER_STAFF)}"
        }
    assert (await client.post("/sync/now", headers=staff)).status_code == 403
    assert "Sync your customers now" not in text_of(await client.get("/sync", headers=staff))


async def test_the_organization_shows_its_last_sync_and_what_changed(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    runs = await some_runs(database, world)
    async with database.transaction() as session:
        customer = await session.get_one(Organization, world.customer_a.id)
        customer.source = OrganizationSource.PARTNER_CENTER
        customer.last_synced_at = utcnow()
        customer.last_sync_run_id = runs["nightly"].id
        session.add(SyncChange(run_id=runs["nightly"].id, organization_id=customer.id,
                               action="updated", changes={"legal_name": ["Alpha", "Alpha Customer"]},
                               occurred_at=utcnow()))  # fmt: skip
    url = f"/organizations/{world.customer_a.id}/sync"
    as_platform = await client.get(url, headers=world.platform.headers)
    said = text_of(as_platform)
    assert "Created from Partner Center by the sync" in said
    assert "a sync from: Scheduled (whole platform)" in said
    assert f'href="/sync/runs/{runs["nightly"].id}"' in as_platform.text
    assert "Updated from Partner Center" in said and "Legal name: Alpha → Alpha Customer" in said
    # A reseller sees that the nightly run synced its customer, without opening that run.
    as_reseller = await client.get(url, headers=world.reseller_a.headers)
    assert "a sync from: Scheduled" in text_of(as_reseller)
    assert f'href="/sync/runs/{runs["nightly"].id}"' not in as_reseller.text

    now = await client.post(f"/organizations/{world.customer_a.id}/sync-now",
                            headers=world.reseller_a.headers)  # fmt: skip
    assert now.status_code == 303
    assert "Sync queued" in text_of(await client.get(now.headers["location"],
                                                      headers=world.reseller_a.headers))  # fmt: skip
    again = await client.post(f"/organizations/{world.customer_a.id}/sync-now",
                              headers=world.platform.headers)  # fmt: skip
    assert "joined the sync already running" in text_of(
        await client.get(again.headers["location"], headers=world.platform.headers)
    )
    async with database.transaction(write=False) as session:
        [run] = await session.scalars(select(SyncRun).where(SyncRun.joined == 1))
    assert (run.scope, run.scope_organization_id) == (SyncScope.ORGANIZATION, world.customer_a.id)
    stranger = await client.post(f"/organizations/{world.customer_a.id}/sync-now",
                                 headers=world.reseller_b.headers)  # fmt: skip
    assert stranger.status_code == 404
