"""Members of an organization: who may see them and add people, and what is recorded."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx
import pytest

from tenantry.db import Database
from tenantry.models import Role, User
from tests.factories import World
from tests.identity.factories import (
    People,
    audit_events,
    make_api_token,
    members_url,
    sign_in,
)


def person(role: str, email: str = "new.person@example.com", **extra: Any) -> dict[str, Any]:
    return {"email": email, "full_name": "New Person", "role": role} | extra


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


async def test_adding_a_new_person_creates_an_account_without_a_password(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    response = await client.post(
        members_url(world.customer_a.id),
        json=person("customer_user", email="  Jane.Doe@Example.com "),
        headers=world.customer_a.headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "jane.doe@example.com"
    assert body["role"] == "customer_user"
    assert body["last_login_at"] is None
    async with database.transaction(write=False) as session:
        user = await session.get(User, uuid.UUID(body["user_id"]))
        assert user is not None
        assert user.password_hash is None
    created = await audit_events(database, "user.created")
    added = await audit_events(database, "membership.added")
    assert created[-1].changes["after"] == {
        "email": "jane.doe@example.com",
        "full_name": "New Person",
    }
    assert added[-1].changes == {
        "before": {"email": None, "role": None},
        "after": {"email": "jane.doe@example.com", "role": "customer_user"},
    }
    assert added[-1].organization_id == world.customer_a.id
    assert added[-1].actor_label.startswith("API token 'tests'")


async def test_one_person_may_belong_to_several_organizations(
    client: httpx.AsyncClient, world: World, people: People, database: Database
) -> None:
    response = await client.post(
        members_url(world.customer_b.id),
        json=person("customer_admin", email=people.customer_user.email.upper(), full_name="Other"),
        headers=world.customer_b.headers,
    )

    assert response.status_code == 201, response.text
    assert response.json()["user_id"] == str(people.customer_user.id)
    # An existing person keeps the name they chose.
    assert response.json()["full_name"] == people.customer_user.full_name
    assert await audit_events(database, "user.created") == []


async def test_adding_a_member_twice_is_a_conflict(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    response = await client.post(
        members_url(world.customer_a.id),
        json=person("customer_admin", email=people.customer_user.email),
        headers=world.customer_a.headers,
    )

    assert response.status_code == 409, response.text
    assert response.json()["errors"][0] == {
        "field": "email",
        "rule": "already_member",
        "message": f"{people.customer_user.email} is a member of Alpha Customer already",
    }


@pytest.mark.parametrize("role", ["platform_admin", "reseller_staff"])
async def test_a_role_of_another_kind_of_organization_is_refused_by_name(
    client: httpx.AsyncClient, world: World, role: str
) -> None:
    response = await client.post(
        members_url(world.customer_a.id), json=person(role), headers=world.customer_a.headers
    )

    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert (error["field"], error["rule"]) == ("role", "role_for_kind")
    assert "customer_admin, customer_user" in error["message"]


async def test_an_unknown_role_is_refused_by_name(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        members_url(world.customer_a.id), json=person("owner"), headers=world.customer_a.headers
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "role"


async def test_a_reseller_admin_manages_the_people_of_its_customers(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        members_url(world.customer_a.id),
        json=person("customer_admin"),
        headers=world.reseller_a.headers,
    )

    assert response.status_code == 201, response.text


async def test_the_platform_admin_manages_anyone_on_the_platform(
    client: httpx.AsyncClient, world: World
) -> None:
    for organization_id, role in [
        (world.platform.id, "platform_staff"),
        (world.reseller_b.id, "reseller_staff"),
        (world.customer_b.id, "customer_user"),
    ]:
        response = await client.post(
            members_url(organization_id),
            json=person(role, email=f"{role}@example.com"),
            headers=world.platform.headers,
        )
        assert response.status_code == 201, response.text


async def test_a_customer_does_not_manage_its_reseller(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    listing = await client.get(members_url(world.reseller_a.id), headers=world.customer_a.headers)
    adding = await client.post(
        members_url(world.reseller_a.id),
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
            members_url(organization_id), json=person("customer_user"), headers=headers
        )
        assert listing.status_code == 200, listing.text
        assert adding.status_code == 403, adding.text
        assert "members.manage" in adding.json()["detail"]


async def test_text_with_a_nul_character_is_refused_by_name(
    client: httpx.AsyncClient, world: World
) -> None:
    url = members_url(world.customer_a.id)

    in_body = await client.post(
        url,
        json=person("customer_user", full_name="Nul\x00Person"),
        headers=world.customer_a.headers,
    )
    in_query = await client.get(url, params={"cursor": "a\x00"}, headers=world.customer_a.headers)
    in_cursor = await client.get(
        url,
        params={"cursor": forged("2026-01-01T00:00:00+00:00\x00")},
        headers=world.customer_a.headers,
    )

    assert (in_body.status_code, in_query.status_code, in_cursor.status_code) == (422, 422, 422)
    assert in_body.json()["errors"][0]["field"] == "full_name"
    assert in_body.json()["errors"][0]["rule"] == "nul_character"
    assert in_query.json()["errors"][0]["field"] == "query.cursor"
    assert in_cursor.json()["errors"][0]["field"] == "cursor"
