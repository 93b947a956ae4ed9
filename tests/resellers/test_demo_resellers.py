"""`make run`'s demo resellers pass the MPN ID check against the embedded sandbox's seed, with
the partner tenants the demo load stores."""

from __future__ import annotations

import uuid

import httpx

from tenantry.demo import data
from tenantry_sandbox import seed_data
from tests.factories import World
from tests.sandbox.conftest import Sandbox


def test_the_demo_and_the_sandbox_seed_agree_on_the_resellers() -> None:
    seeded = {mpn: uuid.UUID(tenant) for mpn, tenant, _name, _at in seed_data.DEMO_RESELLERS}
    assert seeded == data.RESELLER_TENANT_IDS
    assert {r.mpn_id for r in data.RESELLERS} == set(seeded)


async def test_the_demo_resellers_are_valid_in_the_seeded_sandbox(
    client: httpx.AsyncClient, world: World, sqlite_sandbox: Sandbox
) -> None:
    await sqlite_sandbox.control("POST", "/seed", json={"customers": 5, "seed": 1})
    for reseller in data.RESELLERS:
        response = await client.get(
            "/api/v1/resellers/mpn-check",
            params={"mpn_id": reseller.mpn_id},
            headers=world.platform.headers,
        )
        body = response.json()
        assert body["status"] == "valid", body
        assert uuid.UUID(body["reseller_tenant_id"]) == data.RESELLER_TENANT_IDS[body["mpn_id"]]
