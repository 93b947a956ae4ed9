"""Listing organizations: scope, filters, cursor paging, audit trail."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tenantry.db import Database
from tenantry.models import OrganizationStatus
from tests.factories import World, make_organization

URL = "/api/v1/organizations"


async def _names(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> list[str]:
    response = await client.get(URL, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [o["legal_name"] for o in response.json()["items"]]


async def test_each_caller_sees_only_its_scope(client: httpx.AsyncClient, world: World) -> None:
    everything = await _names(client, world.platform.headers)
    assert set(everything) >= {
        "Alpha Reseller",
        "Beta Reseller",
        "Alpha Customer",
        "Beta Customer",
        "Direct Customer",
    }
    assert await _names(client, world.reseller_a.headers) == ["Alpha Customer", "Alpha Reseller"]
    assert await _names(client, world.customer_a.headers) == ["Alpha Customer"]


async def test_another_resellers_customer_is_not_found(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get(f"{URL}/{world.customer_b.id}", headers=world.reseller_a.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_filters_by_status_kind_reseller_and_text(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    async with database.transaction() as session:
        await make_organization(
            session, world.platform.organization, parent=world.reseller_a.organization,
            status=OrganizationStatus.PENDING_APPROVAL, legal_name="Gamma Pending", erp_id="ERP-GAMMA",
            domain="gamma.example",
        )  # fmt: skip
    headers = world.platform.headers
    assert await _names(client, headers, status="pending_approval") == ["Gamma Pending"]
    assert await _names(client, headers, kind="reseller") == ["Alpha Reseller", "Beta Reseller"]
    assert await _names(client, headers, reseller=str(world.reseller_a.id)) == [
        "Alpha Customer",
        "Gamma Pending",
    ]
    assert await _names(client, headers, q="erp-gam") == ["Gamma Pending"]
    assert await _names(client, headers, q="GAMMA.EXAMPLE") == ["Gamma Pending"]
    assert await _names(client, headers, q="100%") == []


async def test_filter_by_segment(client: httpx.AsyncClient, world: World) -> None:
    headers = world.platform.headers
    segment = (
        await client.post("/api/v1/segments", json={"name": "Education"}, headers=headers)
    ).json()
    await client.patch(
        f"{URL}/{world.customer_a.id}", json={"segment_ids": [segment["id"]]}, headers=headers
    )
    assert await _names(client, headers, segment=segment["id"]) == ["Alpha Customer"]


async def test_cursor_paging_returns_everyone_once(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    async with database.transaction() as session:
        for i in range(23):
            await make_organization(
                session,
                world.platform.organization,
                parent=world.reseller_a.organization,
                legal_name=f"Paged {i:02d}",
            )
    seen: list[str] = []
    query: dict[str, str | int] = {"limit": 5, "q": "paged"}
    cursor: str | None = None
    while True:
        params = query | ({"cursor": cursor} if cursor else {})
        page = (await client.get(URL, params=params, headers=world.reseller_a.headers)).json()
        seen += [o["legal_name"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Paged {i:02d}" for i in range(23)]


async def test_a_forged_cursor_is_a_named_error(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get(URL, params={"cursor": "nonsense!"}, headers=world.platform.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


async def test_page_size_is_bounded(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get(URL, params={"limit": 10_000}, headers=world.platform.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.limit"


async def test_requests_without_credentials_are_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    assert (await client.get(URL)).status_code == 401
    bad = await client.get(URL, headers={"Authorization": "Bearer tny_nope"})
    assert bad.status_code == 401


async def test_every_write_is_in_the_audit_trail_with_a_diff(
    client: httpx.AsyncClient, world: World
) -> None:
    await client.patch(
        f"{URL}/{world.customer_a.id}", json={"display_name": "Alpha Renamed"},
        headers=world.reseller_a.headers | {"X-Request-ID": "req-audit-0001"},
    )  # fmt: skip
    events = (
        await client.get(
            "/api/v1/audit-events",
            params={"action": "organization.updated"},
            headers=world.platform.headers,
        )
    ).json()["items"]
    [event] = events
    assert event["changes"] == {
        "before": {"display_name": "Alpha Customer", "version": 1},
        "after": {"display_name": "Alpha Renamed", "version": 2},
    }
    assert event["organization_id"] == str(world.customer_a.id)
    assert event["request_id"] == "req-audit-0001"
    assert event["actor_label"].startswith("API token")
    assert event["ip"] is not None


async def test_the_audit_trail_is_scoped(client: httpx.AsyncClient, world: World) -> None:
    for party in (world.customer_a, world.customer_b):
        await client.patch(
            f"{URL}/{party.id}", json={"display_name": "Renamed"}, headers=world.platform.headers
        )
    seen = (
        await client.get(
            "/api/v1/audit-events",
            params={"action": "organization.updated"},
            headers=world.reseller_a.headers,
        )
    ).json()["items"]
    assert [e["organization_id"] for e in seen] == [str(world.customer_a.id)]


async def test_the_audit_trail_cannot_be_rewritten(database: Database, world: World) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        async with database.transaction() as session:
            await session.execute(text("UPDATE audit_events SET action = 'forged'"))
    with pytest.raises(DBAPIError, match="append-only"):
        async with database.transaction() as session:
            await session.execute(text("DELETE FROM audit_events"))
