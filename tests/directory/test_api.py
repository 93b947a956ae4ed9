"""The directory's API: what each caller sees (scoped, filtered, paged), "Import now", and
assigning and removing licenses bought through the platform with Microsoft's refusals said in
plain words naming the user."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.models import AuditEvent
from tests.factories import World

from .conftest import BASIC, POWER_BI, Tenant, holdings, imported, licenses_held


def directory(world: World) -> str:
    return f"/api/v1/organizations/{world.customer_a.id}/directory"


async def users(client: httpx.AsyncClient, world: World, **query: str) -> list[dict[str, Any]]:
    response = await client.get(
        f"{directory(world)}/users", params=query, headers=world.customer_a.headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def change(
    client: httpx.AsyncClient, caller: dict[str, str], user: dict[str, Any], **body: list[str]
) -> httpx.Response:
    return await client.post(
        f"/api/v1/directory-users/{user['id']}/license-changes", json=body, headers=caller
    )


async def test_each_caller_sees_its_customers_users_with_their_licenses(
    client: httpx.AsyncClient, database: Database, world: World, tenant: Tenant
) -> None:
    await imported(database, world.customer_a.id)

    summary = await client.get(directory(world), headers=world.customer_a.headers)
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert body["user_count"] == 5 and body["last_import"]["status"] == "succeeded"
    assert body["open_import"] is None and len(body["domains"]) == 2
    sources = {item["sku_id"]: (item["source"], item["our_units"], item["other_units"])
               for item in body["licenses"]}  # fmt: skip
    assert sources == {BASIC: ("ours", 3, 0), POWER_BI: ("other_provider", 0, 2)}

    everyone = await users(client, world)
    assert len(everyone) == 5
    other = await users(client, world, holding="other_provider")
    assert [(lic["name"], lic["source"]) for u in other for lic in u["licenses"]] == [
        ("Power BI Pro", "other_provider")
    ]
    assert len(await users(client, world, license=BASIC)) == 3
    assert len(await users(client, world, holding="none")) == 1
    someone = everyone[0]
    found = await users(client, world, search=someone["user_principal_name"].upper())
    assert [u["id"] for u in found] == [someone["id"]]
    first = await client.get(f"{directory(world)}/users?limit=2", headers=world.platform.headers)
    following = first.json()["next_cursor"]
    second = await client.get(
        f"{directory(world)}/users?limit=2&cursor={following}", headers=world.reseller_a.headers
    )
    assert [u["id"] for u in first.json()["items"] + second.json()["items"]] == [
        u["id"] for u in everyone[:4]
    ]

    for stranger in (world.reseller_b, world.customer_b):
        for path in (directory(world), f"{directory(world)}/users", f"{directory(world)}/imports"):
            assert (await client.get(path, headers=stranger.headers)).status_code == 404
        refused = await change(client, stranger.headers, someone, remove=[BASIC])
        assert refused.status_code == 404
    imports = await client.get(f"{directory(world)}/imports", headers=world.reseller_a.headers)
    assert [i["reason"] for i in imports.json()["items"]] == ["manual"]
    trials = await client.get(
        f"{directory(world)}/trial-conversions", headers=world.customer_a.headers
    )
    assert trials.status_code == 200 and trials.json() == []


async def test_import_now_is_for_sellers_staff_and_joins_the_import_under_way(
    client: httpx.AsyncClient, world: World, tenant: Tenant
) -> None:
    path = f"{directory(world)}/imports"
    refused = await client.post(path, headers=world.customer_a.headers)
    assert refused.status_code == 403 and "directory.import" in refused.json()["detail"]
    asked = await client.post(path, headers=world.reseller_a.headers)
    assert asked.status_code == 202, asked.text
    assert asked.json()["status"] == "queued"
    again = await client.post(path, headers=world.platform.headers)
    assert again.json()["id"] == asked.json()["id"] and again.json()["joined"] == 1
    unlinked = await client.post(
        f"/api/v1/organizations/{world.customer_b.id}/directory/imports",
        headers=world.platform.headers,
    )
    assert unlinked.status_code == 409 and unlinked.json()["code"] == "tenant_not_linked"


async def test_our_licenses_are_assigned_and_removed_and_refusals_name_the_user(
    client: httpx.AsyncClient, database: Database, world: World, tenant: Tenant
) -> None:
    await tenant.add_user("Ida", "Kjaer", usageLocation=None)
    await imported(database, world.customer_a.id)
    people = {u["display_name"]: u for u in await users(client, world)}
    holders = [u for u in people.values() if BASIC in {lic["sku_id"] for lic in u["licenses"]}]
    free = next(u for u in people.values() if not u["licenses"] and u["usage_location"])
    ida = people["Ida Kjaer"]

    # Every Business Basic license is assigned: Microsoft refuses a fourth.
    full = await change(client, world.customer_a.headers, free, assign=[BASIC])
    assert full.status_code == 409 and full.json()["code"] == "no_license_left", full.text
    assert free["display_name"] in full.json()["detail"]
    assert "Microsoft 365 Business Basic" in full.json()["detail"]

    # The seller's staff frees one; the customer's admin gives it to someone else.
    freed = await change(client, world.reseller_a.headers, holders[0], remove=[BASIC])
    assert freed.status_code == 200 and freed.json()["licenses"] == []
    given = await change(client, world.customer_a.headers, free, assign=[BASIC])
    assert given.status_code == 200, given.text
    assert [lic["name"] for lic in given.json()["licenses"]] == ["Microsoft 365 Business Basic"]
    assert await licenses_held(tenant, free["user_id"]) == {BASIC}
    assert await licenses_held(tenant, holders[0]["user_id"]) == set()

    # Idempotent: again, and again with a key, changes nothing more.
    again = await change(client, world.customer_a.headers, free, assign=[BASIC])
    assert again.status_code == 200 and again.json() == given.json()
    keyed = {**world.customer_a.headers, "Idempotency-Key": "assign-1"}
    first = await change(client, keyed, free, assign=[BASIC])
    replayed = await change(client, keyed, free, assign=[BASIC])
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    assert replayed.json() == first.json()

    # No usage location: Microsoft assigns nothing, said in plain words.
    await change(client, world.platform.headers, holders[1], remove=[BASIC])
    located = await change(client, world.customer_a.headers, ida, assign=[BASIC])
    assert located.status_code == 409 and located.json()["code"] == "usage_location_missing"
    assert located.json()["detail"].startswith("Ida Kjaer has no usage location")

    # Another provider's licenses are shown, never changed here.
    other = await change(client, world.customer_a.headers, ida, assign=[POWER_BI])
    assert other.status_code == 422
    assert other.json()["errors"][0] == {
        "field": "assign[0]", "rule": "other_provider",
        "message": "Power BI Pro was bought from another provider; only licenses bought "
        "through this platform are assigned here",
    }  # fmt: skip
    unknown = await change(client, world.customer_a.headers, ida, assign=["nonsense"])
    assert unknown.status_code == 422

    held = await holdings(database, world.customer_a.id)
    assert (
        held[free["user_principal_name"]] == {BASIC} and held[ida["user_principal_name"]] == set()
    )
    async with database.transaction(write=False) as session:
        audited = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "directory.licenses_changed")
        )
    assert audited == 3, "one event per change made; refusals and no-ops record none"
