"""What a sync costs in Partner Center calls, and "Sync now" through the API."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from tenantry.db import Database
from tenantry.models import OutboxItem, OutboxStatus, SyncRunStatus
from tenantry.partnercenter.core import ClientCore
from tests.factories import World
from tests.sandbox.conftest import Sandbox
from tests.sync.conftest import sync

CUSTOMERS = 12


def list_pages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """Every page of customers the client asks for, as (operation, size asked; None on a page
    asked for by its continuation token, which carries the size)."""
    asked: list[tuple[str, object]] = []
    original = ClientCore._seek_page

    async def recording(
        self: ClientCore, item: Any, operation: str, url: str, **options: Any
    ) -> Any:
        size = None if options.get("continuation_token") else options["params"].get("size")
        if operation.startswith("list_customers"):
            asked.append((operation, size))
        return await original(self, item, operation, url, **options)

    monkeypatch.setattr(ClientCore, "_seek_page", recording)
    return asked


async def test_a_no_change_resync_costs_the_list_pages_and_one_audit_query(
    app: FastAPI, database: Database, network: World, sqlite_sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    for n in range(CUSTOMERS):
        await sqlite_sandbox.customer(company_name=f"Customer {n:02d} GmbH", country="DE")
    first = await sync(database, network.platform.id)
    assert first.status is SyncRunStatus.SUCCEEDED, first.error
    customers = first.created  # Alpha Reseller's organization is found by its MPN ID, not made
    assert customers >= CUSTOMERS
    resellers = 1  # the network: Alpha Reseller
    asked = list_pages(monkeypatch)

    again = await sync(database, network.platform.id)

    # One page of customers and one of Alpha Reseller's, each asked for with the largest size.
    assert asked == [("list_customers", 500), ("list_customers_of_indirect_reseller", 500)]
    # The resellers list, the customer pages, each reseller's customers, one audit query.
    assert again.calls_made == 1 + len(asked) + 1
    assert again.created == again.updated == again.failed == 0
    assert again.unchanged == customers + resellers
    assert again.calls_saved >= 2 * customers
    assert first.calls_made >= 2 * customers  # billing profile and subscriptions of each


async def test_the_sync_follows_the_pages_the_service_sends_whatever_their_size(
    app: FastAPI, database: Database, network: World, sqlite_sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    for n in range(CUSTOMERS):
        await sqlite_sandbox.customer(company_name=f"Customer {n:02d} GmbH", country="DE")
    monkeypatch.setattr(sqlite_sandbox.settings, "max_page_size", 5)  # the service caps pages
    asked = list_pages(monkeypatch)

    first = await sync(database, network.platform.id)

    assert first.status is SyncRunStatus.SUCCEEDED, first.error
    customers = first.created
    assert customers >= CUSTOMERS
    pages = [operation for operation, _size in asked if operation == "list_customers"]
    assert len(pages) == math.ceil(customers / 5)
    assert {size for _operation, size in asked} == {500, None}  # first pages ask for 500
    # The audit query is not made on a first sync: the resellers list, every list page, and
    # each customer's billing profile and subscriptions.
    assert first.calls_made == 1 + len(asked) + 2 * customers


async def test_sync_now_twice_joins_the_first_run(
    app: FastAPI, client: httpx.AsyncClient, network: World
) -> None:
    first = await client.post("/api/v1/sync/runs", json={"scope": "platform"},
                              headers=network.platform.headers)  # fmt: skip
    second = await client.post("/api/v1/sync/runs", json={"scope": "platform"},
                               headers=network.platform.headers)  # fmt: skip
    assert first.status_code == second.status_code == 202, first.text
    assert first.json()["joined_existing"] is False
    assert second.json()["joined_existing"] is True
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["joined"] == 1
    listed = await client.get("/api/v1/sync/runs", headers=network.platform.headers)
    assert [r["id"] for r in listed.json()["items"]] == [first.json()["id"]]
    one = await client.get(f"/api/v1/sync/runs/{first.json()['id']}",
                           headers=network.platform.headers)  # fmt: skip
    assert one.status_code == 200 and one.json()["errors"] == []


async def test_a_run_whose_job_gave_up_ends_failed_and_is_not_joined(
    app: FastAPI, client: httpx.AsyncClient, database: Database, network: World
) -> None:
    first = await client.post("/api/v1/sync/runs", json={"scope": "platform"},
                              headers=network.platform.headers)  # fmt: skip
    async with database.transaction() as session:
        await session.execute(
            update(OutboxItem)
            .where(OutboxItem.idempotency_key == f"sync.run:{first.json()['id']}")
            .values(status=OutboxStatus.FAILED, last_error="RuntimeError: disk full")
        )

    second = await client.post("/api/v1/sync/runs", json={"scope": "platform"},
                               headers=network.platform.headers)  # fmt: skip

    assert second.status_code == 202, second.text
    assert second.json()["joined_existing"] is False
    assert second.json()["id"] != first.json()["id"]
    ended = await client.get(f"/api/v1/sync/runs/{first.json()['id']}",
                             headers=network.platform.headers)  # fmt: skip
    assert ended.json()["status"] == "failed"
    assert "disk full" in ended.json()["error"]


async def test_reseller_admins_sync_their_own_scope_only(
    app: FastAPI, client: httpx.AsyncClient, network: World
) -> None:
    own = await client.post(
        "/api/v1/sync/runs",
        json={"scope": "reseller", "organization_id": str(network.reseller_a.id)},
        headers=network.reseller_a.headers,
    )
    assert own.status_code == 202, own.text
    customer = await client.post(
        "/api/v1/sync/runs",
        json={"scope": "organization", "organization_id": str(network.customer_a.id)},
        headers=network.reseller_a.headers,
    )
    assert customer.status_code == 202, customer.text
    platform = await client.post("/api/v1/sync/runs", json={"scope": "platform"},
                                 headers=network.reseller_a.headers)  # fmt: skip
    assert platform.status_code == 403
    other = await client.post(
        "/api/v1/sync/runs",
        json={"scope": "reseller", "organization_id": str(network.reseller_b.id)},
        headers=network.reseller_a.headers,
    )
    assert other.status_code == 404
    seen_by_b = await client.get("/api/v1/sync/runs", headers=network.reseller_b.headers)
    assert seen_by_b.status_code == 200 and seen_by_b.json()["items"] == []
    hidden = await client.get(f"/api/v1/sync/runs/{own.json()['id']}",
                              headers=network.reseller_b.headers)  # fmt: skip
    assert hidden.status_code == 404
    seen_by_a = await client.get("/api/v1/sync/runs", headers=network.reseller_a.headers)
    assert len(seen_by_a.json()["items"]) == 2
