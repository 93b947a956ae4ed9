"""Importing a linked customer's directory from the sandbox: users page by page, domains, the
licenses it holds (ours and another provider's) and who holds which; a re-import that changes
only what changed; imports asked or run twice at once; an import resumed after a kill."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from tenantry.db import Database
from tenantry.directory.importing import run_import
from tenantry.directory.runs import request_import
from tenantry.models import (
    DirectoryDomain,
    DirectoryImport,
    DirectoryImportStatus,
    LicenseSource,
)
from tenantry.partnercenter import access
from tests.factories import World

from .conftest import (
    BASIC,
    EXCHANGE,
    POWER_BI,
    Tenant,
    holdings,
    imported,
    licenses,
    reload,
)

COUNTS = ("users_added", "users_updated", "users_removed", "users_unchanged",
          "domains_added", "domains_removed", "licenses_added", "licenses_updated",
          "licenses_removed", "assignments_added", "assignments_removed")  # fmt: skip


def counts(found: DirectoryImport) -> dict[str, int]:
    return {name: getattr(found, name) for name in COUNTS if getattr(found, name)}


@pytest.mark.parametrize("page_size", [2, 100])
async def test_users_domains_and_licenses_are_imported_whatever_the_page_size(
    database: Database, world: World, tenant: Tenant, page_size: int
) -> None:
    done = await imported(database, world.customer_a.id, page_size=page_size)

    assert done.status is DirectoryImportStatus.SUCCEEDED, (done.error, done.problems)
    assert done.open_for is None and done.finished_at is not None
    assert counts(done) == {"users_added": 5, "domains_added": 2, "licenses_added": 2,
                            "assignments_added": 4}  # fmt: skip
    held = await holdings(database, world.customer_a.id)
    people = [u["userPrincipalName"] for u in await tenant.users()]
    assert set(held) == set(people)
    assert [held[upn] for upn in people] == [{BASIC}, {BASIC}, {BASIC}, {POWER_BI}, set()]

    owned = await licenses(database, world.customer_a.id)
    basic, power_bi = owned[BASIC], owned[POWER_BI]
    assert (basic.source, basic.our_units, basic.other_units) == (LicenseSource.OURS, 3, 0)
    assert (basic.active_units, basic.consumed_units, basic.available_units) == (3, 3, 0)
    assert len(basic.subscription_ids) == 1
    assert (power_bi.source, power_bi.our_units, power_bi.other_units) == (
        LicenseSource.OTHER_PROVIDER, 0, 2)  # fmt: skip
    assert power_bi.subscription_ids == []
    async with database.transaction(write=False) as session:
        domains = {
            d.name: d.is_initial
            for d in await session.scalars(
                select(DirectoryDomain).where(
                    DirectoryDomain.organization_id == tenant.organization_id
                )
            )
        }
    assert domains[tenant.domain] is True and len(domains) == 2


async def test_a_reimport_changes_only_what_changed(
    database: Database, world: World, tenant: Tenant
) -> None:
    await imported(database, world.customer_a.id)
    u0, u1, u2, _u3, u4 = await tenant.users()
    await tenant.control("DELETE", f"/users/{u1['id']}")
    await tenant.control("PATCH", f"/users/{u2['id']}", json={"displayName": "Renamed Person"})
    newcomer = await tenant.add_user("Nora", "Lind")
    await tenant.control("PUT", f"/users/{u0['id']}/licenses", json={"skuIds": []})
    await tenant.control("PUT", f"/users/{u4['id']}/licenses", json={"skuIds": [POWER_BI]})
    # More Business Basic bought elsewhere, and Exchange Online from another provider.
    await tenant.control("POST", "/other-provider-licenses", json={"skuId": BASIC, "units": 2})
    await tenant.control("POST", "/other-provider-licenses", json={"skuId": EXCHANGE, "units": 1})

    again = await imported(database, world.customer_a.id, page_size=2)

    assert again.status is DirectoryImportStatus.SUCCEEDED
    assert counts(again) == {
        "users_added": 1, "users_updated": 1, "users_removed": 1, "users_unchanged": 3,
        "licenses_added": 1, "licenses_updated": 2, "assignments_added": 1,
        "assignments_removed": 1,
    }  # fmt: skip
    held = await holdings(database, world.customer_a.id)
    assert u1["userPrincipalName"] not in held
    assert held[u0["userPrincipalName"]] == set() and held[u4["userPrincipalName"]] == {POWER_BI}
    assert any(upn.startswith("nora.lind@") for upn in held), newcomer
    owned = await licenses(database, world.customer_a.id)
    assert (owned[BASIC].source, owned[BASIC].our_units, owned[BASIC].other_units) == (
        LicenseSource.BOTH, 3, 2)  # fmt: skip
    assert owned[EXCHANGE].source is LicenseSource.OTHER_PROVIDER

    unchanged = await imported(database, world.customer_a.id, page_size=3)
    assert counts(unchanged) == {"users_unchanged": 5}


async def test_two_requests_at_once_make_one_import_and_a_repeated_event_imports_once(
    database: Database, world: World, tenant: Tenant
) -> None:
    async def ask(reason: str) -> uuid.UUID:
        async with database.transaction() as session:
            return (await request_import(session, world.customer_a.id, reason=reason)).id

    first, second = await asyncio.gather(ask("manual"), ask("manual"))
    assert first == second
    assert (await reload(database, first)).joined == 1

    await run_import(database, access.current(), first)
    ordered = await ask("first_order:42")
    await run_import(database, access.current(), ordered)
    assert await ask("first_order:42") == ordered, "a retried provisioning imports once"
    assert await ask("manual") not in (first, ordered), "an ended import is not joined"


async def test_an_import_run_twice_at_once_counts_everything_once(
    database: Database, world: World, tenant: Tenant
) -> None:
    async with database.transaction() as session:
        queued = await request_import(session, world.customer_a.id, reason="manual")
    results = await asyncio.gather(
        run_import(database, access.current(), queued.id, page_size=2),
        run_import(database, access.current(), queued.id, page_size=2),
    )
    done = await reload(database, queued.id)
    assert done.status is DirectoryImportStatus.SUCCEEDED
    assert DirectoryImportStatus.SUCCEEDED in results
    assert done.users_added == 5 and done.assignments_added == 4
    assert len(await holdings(database, world.customer_a.id)) == 5


async def checkpointed(database: Database, import_id: uuid.UUID) -> dict[str, Any]:
    """Wait (polling, with a deadline) until the import has written its first page."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = await reload(database, import_id)
        if found.checkpoint.get("token"):
            return found.checkpoint
        await asyncio.sleep(0.01)
    raise AssertionError("the import wrote no page in time")


async def test_an_import_killed_between_pages_goes_on_from_its_checkpoint(
    database: Database, world: World, tenant: Tenant
) -> None:
    slow = {"kind": "latency", "rate": 1.0, "latencyMs": 300, "path": "/v1/customers/*/users"}
    await tenant.sandbox.control("PUT", "/faults", json={"rules": [slow]})
    async with database.transaction() as session:
        queued = await request_import(session, world.customer_a.id, reason="manual")
    running = asyncio.create_task(run_import(database, access.current(), queued.id, page_size=2))
    checkpoint = await checkpointed(database, queued.id)
    running.cancel()  # the worker dies between two pages
    with pytest.raises(asyncio.CancelledError):
        await running
    interrupted = await reload(database, queued.id)
    assert interrupted.status is DirectoryImportStatus.RUNNING and interrupted.users_added == 2
    await tenant.sandbox.control("DELETE", "/faults")

    assert await run_import(database, access.current(), queued.id, page_size=2) is (
        DirectoryImportStatus.SUCCEEDED
    )
    done = await reload(database, queued.id)
    assert checkpoint["phase"] == "users"
    assert done.users_added == 5 and done.users_unchanged == 0
    assert len(await holdings(database, world.customer_a.id)) == 5


async def test_without_a_tenant_or_when_partner_center_refuses_the_import_fails_and_says_why(
    database: Database, world: World, tenant: Tenant
) -> None:
    unlinked = await imported(database, world.customer_b.id)
    assert unlinked.status is DirectoryImportStatus.FAILED
    assert unlinked.error is not None and "holds no Microsoft tenant" in unlinked.error

    refused = {
        "kind": "error",
        "rate": 1.0,
        "status": 503,
        "path": "/v1/customers/*/subscribedskus",
    }
    await tenant.sandbox.control("PUT", "/faults", json={"rules": [refused]})
    failed = await imported(database, world.customer_a.id)
    assert failed.status is DirectoryImportStatus.FAILED and failed.open_for is None
    assert failed.error is not None and "could not be reached" in failed.error
    assert failed.users_added == 5, "what was read before the refusal is kept"
    async with database.transaction(write=False) as session:
        opened = await session.scalar(
            select(DirectoryImport).where(DirectoryImport.open_for == world.customer_a.id)
        )
    assert opened is None, "the next import may start"
