from __future__ import annotations

import httpx

from tests.factories import World, organization_payload


async def test_platform_admin_creates_a_pending_customer(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        "/api/v1/organizations", json=organization_payload(), headers=world.platform.headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "pending_approval"
    assert body["parent_id"] == str(world.platform.id)
    assert response.headers["ETag"] == '"1"'
