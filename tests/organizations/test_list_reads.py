"""The organization list reads plain rows: each item must be what the organization's own page of
the API reads, and paging must walk a reseller's customers and the reseller itself in order."""

from __future__ import annotations

import uuid

import httpx

from tenantry.db import Database
from tenantry.models import LinkMethod, MicrosoftTenant, utcnow
from tests.factories import World, make_organization

URL = "/api/v1/organizations"


async def test_each_item_is_what_the_organization_reads(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    headers = world.platform.headers
    segment_ids = [
        (await client.post("/api/v1/segments", json={"name": name}, headers=headers)).json()["id"]
        for name in ("Zeta", "Alpha", "Mid")
    ]
    await client.patch(
        f"{URL}/{world.customer_a.id}", json={"segment_ids": segment_ids}, headers=headers
    )
    async with database.transaction() as session:
        session.add(
            MicrosoftTenant(
                organization_id=world.customer_a.id, tenant_id=uuid.uuid4(),
                company_name="Alpha Customer", initial_domain="alphacustomer.onmicrosoft.com",
                default_domain="alpha.example", verified_domains=["alpha.example"],
                relationship="indirect", reseller_id=world.reseller_a.id,
                link_method=LinkMethod.VERIFIED, linked_at=utcnow(),
            )
        )  # fmt: skip
    listed = (await client.get(URL, headers=world.reseller_a.headers)).json()["items"]
    assert [o["legal_name"] for o in listed] == ["Alpha Customer", "Alpha Reseller"]
    for item in listed:
        read = await client.get(f"{URL}/{item['id']}", headers=world.reseller_a.headers)
        assert item == read.json()
    customer = listed[0]
    assert [s["name"] for s in customer["segments"]] == ["Alpha", "Mid", "Zeta"]
    assert customer["microsoft_tenant"]["verified_domains"] == ["alpha.example"]
    assert listed[1]["segments"] == [] and listed[1]["microsoft_tenant"] is None


async def test_paging_walks_the_reseller_among_its_customers(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    names = ["Aardvark ApS", "Alpha Customer", "Alpha Reseller", "Alpha Zulu", "Beta", "Omega"]
    async with database.transaction() as session:
        for name in ("Omega", "Aardvark ApS", "Beta", "Alpha Zulu"):
            await make_organization(
                session, world.platform.organization, parent=world.reseller_a.organization,
                legal_name=name,
            )  # fmt: skip
    for limit in (1, 2, 4, 50):
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
            page = (await client.get(URL, params=params, headers=world.reseller_a.headers)).json()
            seen += [o["legal_name"] for o in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == names, limit
