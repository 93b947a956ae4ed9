"""Members of an organization: who may see them and invite people, and what is recorded."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tenantry.db import Database
from tenantry.models import Role
from tests.factories import World
from tests.identity.factories import (
    People,
    invitations_url,
    make_api_token,
    members_url,
    sign_in,
)


def person(role: str, email: str = "new.person@example.com", **extra: Any) -> dict[str, Any]:
    return {"email": email, "role": role} | extra


async def test_members_are_listed_with_their_roles(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    response = await client.get(members_url(world.customer_a.id), headers=world.customer_a.headers)

    assert response.status_code == 200, response.text
    members = {m["email"]: m for m in response.json()["items"]}
    assert members.keys() == {people.customer_admin.email, people.customer_user.email}
    assert members[people.customer_admin.email]["role"] == "customer_admin"
    assert members[people.customer_user.email]["active"] is True


async def test_members_list_pages_with_a_cursor(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    first = await client.get(
        members_url(world.reseller_a.id), params={"limit": 1}, headers=world.reseller_a.headers
    )
    cursor = first.json()["next_cursor"]
    second = await client.get(
        members_url(world.reseller_a.id),
        params={"limit": 1, "cursor": cursor},
        headers=world.reseller_a.headers,
    )

    emails = [first.json()["items"][0]["email"], second.json()["items"][0]["email"]]
    assert sorted(emails) == sorted([people.reseller_admin.email, people.reseller_staff.email])
    assert second.json()["next_cursor"] is None


def forged(sort_value: object) -> str:
    # A fixed id: parallel test processes must collect the same test names.
    raw = json.dumps([sort_value, "0b9e3c64-3f0e-4a57-9d55-6f1f9e2b8c01"]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        forged(1),
        forged("not a time"),
        forged("2026-01-01T00:00:00"),  # a time without its zone
    ],
)
@pytest.mark.parametrize("listing", ["members", "api-tokens"])
async def test_a_forged_cursor_is_refused_by_name(
    client: httpx.AsyncClient, world: World, cursor: str, listing: str
) -> None:
    response = await client.get(
        f"/api/v1/organizations/{world.reseller_a.id}/{listing}",
        params={"cursor": cursor},
        headers=world.reseller_a.headers,
    )

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "cursor"


async def test_a_customer_does_not_manage_its_reseller(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    listing = await client.get(members_url(world.reseller_a.id), headers=world.customer_a.headers)
    adding = await client.post(
        invitations_url(world.reseller_a.id),
        json=person("reseller_admin"),
        headers=world.customer_a.headers,
    )

    assert listing.status_code == 404
    assert adding.status_code == 404


async def test_another_resellers_customers_are_not_found(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    url = members_url(world.customer_a.id, people.customer_user.id)
    for response in [
        await client.get(members_url(world.customer_a.id), headers=world.reseller_b.headers),
        await client.patch(url, json={"role": "customer_admin"}, headers=world.reseller_b.headers),
        await client.delete(url, headers=world.reseller_b.headers),
    ]:
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "not_found"


async def test_roles_without_members_manage_may_look_but_not_touch(
    client: httpx.AsyncClient, world: World, people: People, database: Database
) -> None:
    async with database.transaction() as session:
        staff_headers = await sign_in(session, people.reseller_staff, world.reseller_a.organization)
        user_headers = await sign_in(session, people.customer_user, world.customer_a.organization)
        _, platform_staff = await make_api_token(
            session, world.platform.organization, Role.PLATFORM_STAFF
        )
    platform_headers = {"Authorization": f"Bearer {platform_staff}"}
    for headers, organization_id in [
        (staff_headers, world.reseller_a.id),
        (user_headers, world.customer_a.id),
        (platform_headers, world.customer_a.id),
    ]:
        listing = await client.get(members_url(organization_id), headers=headers)
        adding = await client.post(
            invitations_url(organization_id), json=person("customer_user"), headers=headers
        )
        assert listing.status_code == 200, listing.text
        assert adding.status_code == 403, adding.text
        assert "members.manage" in adding.json()["detail"]


async def test_a_nul_character_in_the_query_is_refused_by_name(
    client: httpx.AsyncClient, world: World
) -> None:
    url = members_url(world.customer_a.id)

    in_query = await client.get(url, params={"cursor": "a\x00"}, headers=world.customer_a.headers)
    in_cursor = await client.get(
        url,
        params={"cursor": forged("2026-01-01T00:00:00+00:00\x00")},
        headers=world.customer_a.headers,
    )

    assert (in_query.status_code, in_cursor.status_code) == (422, 422)
    assert in_query.json()["errors"][0]["field"] == "query.cursor"
    assert in_cursor.json()["errors"][0]["field"] == "cursor"
