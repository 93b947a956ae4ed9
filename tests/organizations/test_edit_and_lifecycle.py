"""Editing organizations (profile vs basic details, optimistic concurrency) and their lifecycle."""

from __future__ import annotations

import asyncio

import httpx

from tenantry.db import Database
from tenantry.models import Role
from tests.factories import World, address, make_token, organization_payload

URL = "/api/v1/organizations"


async def _create(
    client: httpx.AsyncClient, world: World, **overrides: object
) -> dict[str, object]:
    response = await client.post(
        URL, json=organization_payload(**overrides), headers=world.platform.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_a_customer_admin_edits_its_profile_but_not_its_basic_details(
    client: httpx.AsyncClient, world: World
) -> None:
    url = f"{URL}/{world.customer_a.id}"
    ok = await client.patch(url, json={"display_name": "Alpha"}, headers=world.customer_a.headers)
    assert ok.status_code == 200
    assert ok.json()["display_name"] == "Alpha"
    denied = await client.patch(
        url, json={"legal_name": "Alpha Holding"}, headers=world.customer_a.headers
    )
    assert denied.status_code == 403
    assert "legal_name" in denied.json()["detail"]


async def test_the_seller_edits_basic_details(client: httpx.AsyncClient, world: World) -> None:
    response = await client.patch(
        f"{URL}/{world.customer_a.id}", json={"legal_name": "Alpha Holding A/S", "erp_id": "E-9"},
        headers=world.reseller_a.headers,
    )  # fmt: skip
    assert response.status_code == 200
    assert (response.json()["legal_name"], response.json()["erp_id"]) == (
        "Alpha Holding A/S",
        "E-9",
    )


async def test_industry_is_set_at_creation_and_not_editable(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.patch(
        f"{URL}/{world.customer_a.id}", json={"industry": "finance"}, headers=world.platform.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "industry", "rule": "unknown_field", "message": "this field is not part of the request",
    }  # fmt: skip


async def test_a_country_change_rechecks_the_address(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.patch(
        f"{URL}/{world.customer_a.id}",
        json={"address": address(country="US", postal_code="98052")},
        headers=world.platform.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "address.region"


async def test_required_fields_cannot_be_cleared(client: httpx.AsyncClient, world: World) -> None:
    response = await client.patch(
        f"{URL}/{world.customer_a.id}", json={"legal_name": None}, headers=world.platform.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0] | {"message": ""} == {
        "field": "legal_name",
        "rule": "not_null",
        "message": "",
    }


async def test_a_stale_if_match_is_refused_and_nothing_is_lost(
    client: httpx.AsyncClient, world: World
) -> None:
    url = f"{URL}/{world.customer_a.id}"
    read = await client.get(url, headers=world.platform.headers)
    etag = read.headers["ETag"]
    first = await client.patch(
        url, json={"display_name": "First"}, headers=world.platform.headers | {"If-Match": etag}
    )
    assert first.status_code == 200
    assert first.headers["ETag"] != etag
    second = await client.patch(
        url, json={"display_name": "Second"}, headers=world.platform.headers | {"If-Match": etag}
    )
    assert second.status_code == 412
    assert (await client.get(url, headers=world.platform.headers)).json()["display_name"] == "First"


async def test_concurrent_edits_of_one_organization_lose_no_update(
    client: httpx.AsyncClient, world: World
) -> None:
    url = f"{URL}/{world.customer_a.id}"
    etag = (await client.get(url, headers=world.platform.headers)).headers["ETag"]
    responses = await asyncio.gather(
        *(
            client.patch(
                url,
                json={"display_name": f"Name {i}"},
                headers=world.platform.headers | {"If-Match": etag},
            )
            for i in range(5)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) == 1, statuses
    assert set(statuses) <= {200, 409, 412}
    winner = next(r for r in responses if r.status_code == 200).json()["display_name"]
    assert (await client.get(url, headers=world.platform.headers)).json()["display_name"] == winner


async def test_lifecycle_pending_active_blocked_active(
    client: httpx.AsyncClient, world: World
) -> None:
    created = await _create(client, world)
    url, headers = f"{URL}/{created['id']}", world.platform.headers
    assert (await client.post(f"{url}/approve", headers=headers)).json()["status"] == "active"
    blocked = await client.post(f"{url}/block", json={"reason": "unpaid invoices"}, headers=headers)
    assert (blocked.json()["status"], blocked.json()["status_reason"]) == (
        "blocked",
        "unpaid invoices",
    )
    assert (await client.post(f"{url}/unblock", headers=headers)).json()["status"] == "active"


async def test_blocking_needs_a_reason(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        f"{URL}/{world.customer_a.id}/block", json={}, headers=world.platform.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"


async def test_repeating_a_status_change_is_harmless(
    client: httpx.AsyncClient, world: World
) -> None:
    url = f"{URL}/{world.customer_a.id}/block"
    first = await client.post(url, json={"reason": "fraud check"}, headers=world.reseller_a.headers)
    again = await client.post(url, json={"reason": "fraud check"}, headers=world.reseller_a.headers)
    assert first.status_code == again.status_code == 200
    events = await client.get(
        "/api/v1/audit-events",
        params={"action": "organization.block"},
        headers=world.platform.headers,
    )
    assert len(events.json()["items"]) == 1


async def test_impossible_transitions_are_conflicts(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        f"{URL}/{world.customer_a.id}/reject",
        json={"reason": "not ours"},
        headers=world.platform.headers,
    )
    assert response.status_code == 409
    assert response.json()["current_status"] == "active"


async def test_a_blocked_organizations_people_cannot_sign_in(
    client: httpx.AsyncClient, world: World
) -> None:
    await client.post(
        f"{URL}/{world.customer_a.id}/block",
        json={"reason": "unpaid"},
        headers=world.reseller_a.headers,
    )
    response = await client.get(f"{URL}/{world.customer_a.id}", headers=world.customer_a.headers)
    assert response.status_code == 403
    assert "blocked" in response.json()["detail"]


async def test_organizations_cannot_change_their_own_status(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        f"{URL}/{world.reseller_a.id}/block",
        json={"reason": "myself"},
        headers=world.reseller_a.headers,
    )
    assert response.status_code == 403


async def test_reseller_staff_cannot_block(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    async with database.transaction() as session:
        token = await make_token(session, world.reseller_a.organization, Role.RESELLER_STAFF)
    response = await client.post(
        f"{URL}/{world.customer_a.id}/block",
        json={"reason": "late payment"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403
