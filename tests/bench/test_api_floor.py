"""The floor of bench/api.py answers what the app answers, with more than the benchmark's seed
holds: organizations with several segments, a linked Microsoft tenant, a store with offers."""

from __future__ import annotations

import uuid

import httpx
from api_capture import exchanges
from api_check import first_difference, page_difference
from api_floor import Floor
from api_floor_list import list_statements
from api_floor_store import store_page

from tenantry.db import Database
from tenantry.models import LinkMethod, MicrosoftTenant, utcnow
from tenantry.settings import Settings
from tests.factories import World

URL = "/api/v1/organizations?limit=50"


async def test_the_floor_answers_as_the_app(
    client: httpx.AsyncClient, world: World, database: Database, settings: Settings
) -> None:
    headers = world.platform.headers
    segment_ids = [
        (await client.post("/api/v1/segments", json={"name": name}, headers=headers)).json()["id"]
        for name in ("Zeta", "Alpha")
    ]
    customer = world.customer_a
    await client.patch(
        f"/api/v1/organizations/{customer.id}", json={"segment_ids": segment_ids}, headers=headers
    )
    async with database.transaction() as session:
        session.add(
            MicrosoftTenant(
                organization_id=customer.id, tenant_id=uuid.uuid4(), company_name="Alpha Customer",
                initial_domain="alphacustomer.onmicrosoft.com", default_domain="alpha.example",
                verified_domains=["alpha.example"], relationship="indirect",
                reseller_id=world.reseller_a.id, link_method=LinkMethod.VERIFIED,
                linked_at=utcnow(),
            )
        )  # fmt: skip
    app_list = (await client.get(URL, headers=world.reseller_a.headers)).json()
    app_store = (await client.get("/store")).text
    assert app_list["items"][0]["microsoft_tenant"] is not None
    assert "Buy Now" in app_store

    listed, stored = await exchanges(settings, [(URL, world.reseller_a.headers), ("/store", {})])
    floor = Floor(settings.database_url, list_statements(listed), store_page(stored))
    await floor.database.open()
    try:
        transport = httpx.ASGITransport(app=floor)
        async with httpx.AsyncClient(transport=transport, base_url="http://floor") as floor_client:
            floor_list = await floor_client.get("/list", headers=world.reseller_a.headers)
            floor_store = await floor_client.get("/store")
            refused = await floor_client.get("/list", headers={"Authorization": "Bearer nope"})
    finally:
        await floor.database.close()
    assert first_difference(app_list, floor_list.json()) is None
    assert page_difference(app_store, floor_store.text) is None
    assert refused.status_code == 401


def test_a_difference_is_named_by_its_path() -> None:
    app = {"items": [{"id": 1, "segments": [{"name": "SMB"}]}], "next_cursor": None}
    assert first_difference(app, app) is None
    floor = {"items": [{"id": 1, "segments": [{"name": "Enterprise"}]}], "next_cursor": None}
    assert first_difference(app, floor) == (
        "$.items[0].segments[0].name: the app has 'SMB', the floor 'Enterprise'"
    )
    assert first_difference(app, {"items": []}) == "$.items: the app has 1 entries, the floor 0"
    assert first_difference({"a": True}, {"a": 1}) == "$.a: the app has True, the floor 1"
    assert first_difference({}, {"extra": 1}) == "$.extra: the floor has 1, the app nothing"


def test_pages_differ_only_beyond_their_per_request_values() -> None:
    page = '<form><input type="hidden" name="csrf_token" value="{}"><p>{}</p></form>'
    assert page_difference(page.format("a1", "Hello"), page.format("b2", "Hello")) is None
    assert "Goodbye" in (
        page_difference(page.format("a1", "Hello"), page.format("a1", "Goodbye")) or ""
    )
