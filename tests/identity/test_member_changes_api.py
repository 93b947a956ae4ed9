"""Changing a member's role and removing members: never the last admin, always recorded."""

from __future__ import annotations

import asyncio

import httpx

from tenantry.db import Database
from tenantry.models import Role
from tests.factories import World
from tests.identity.factories import People, audit_events, make_person, members_url, sign_in


async def test_a_role_change_is_recorded_with_before_and_after(
    client: httpx.AsyncClient, world: World, people: People, database: Database
) -> None:
    response = await client.patch(
        members_url(world.customer_a.id, people.customer_user.id),
        json={"role": "customer_admin"},
        headers=world.customer_a.headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["role"] == "customer_admin"
    [event] = await audit_events(database, "membership.role_changed")
    assert event.target_id == str(people.customer_user.id)
    assert event.changes == {
        "before": {"role": "customer_user"},
        "after": {"role": "customer_admin"},
    }


async def test_an_empty_change_changes_nothing(
    client: httpx.AsyncClient, world: World, people: People, database: Database
) -> None:
    response = await client.patch(
        members_url(world.customer_a.id, people.customer_user.id),
        json={},
        headers=world.customer_a.headers,
    )

    assert response.status_code == 200
    assert response.json()["role"] == "customer_user"
    assert await audit_events(database, "membership.role_changed") == []


async def test_changing_to_a_role_of_another_kind_is_refused_by_name(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    response = await client.patch(
        members_url(world.customer_a.id, people.customer_user.id),
        json={"role": "reseller_admin"},
        headers=world.reseller_a.headers,
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "role"


async def test_the_last_admin_can_be_neither_demoted_nor_removed(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    url = members_url(world.customer_a.id, people.customer_admin.id)

    demoted = await client.patch(
        url, json={"role": "customer_user"}, headers=world.reseller_a.headers
    )
    removed = await client.delete(url, headers=world.reseller_a.headers)

    assert demoted.status_code == 409, demoted.text
    assert removed.status_code == 409, removed.text
    assert "last admin" in removed.json()["detail"]


async def test_an_admin_may_leave_when_another_admin_stays(
    client: httpx.AsyncClient, world: World, people: People, database: Database
) -> None:
    async with database.transaction() as session:
        await make_person(session, world.customer_a.organization, Role.CUSTOMER_ADMIN)
        admin_headers = await sign_in(session, people.customer_admin, world.customer_a.organization)

    response = await client.delete(
        members_url(world.customer_a.id, people.customer_admin.id), headers=admin_headers
    )

    assert response.status_code == 204, response.text
    [event] = await audit_events(database, "membership.removed")
    assert event.changes == {
        "before": {"email": people.customer_admin.email, "role": "customer_admin"},
        "after": {"email": None, "role": None},
    }
    assert event.actor_user_id == people.customer_admin.id
    # Their session no longer works in the organization they left.
    after = await client.get("/api/v1/me", headers=admin_headers)
    assert after.status_code == 403


async def test_removing_a_non_admin_needs_no_other_admin(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    url = members_url(world.customer_a.id, people.customer_user.id)

    first = await client.delete(url, headers=world.customer_a.headers)
    again = await client.delete(url, headers=world.customer_a.headers)

    assert first.status_code == 204
    assert again.status_code == 404


async def test_a_person_of_another_organization_is_not_a_member_here(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    # Reseller B names a person of reseller A under its own organization: not found, not touched.
    url = members_url(world.reseller_b.id, people.reseller_staff.id)

    patched = await client.patch(
        url, json={"role": "reseller_admin"}, headers=world.reseller_b.headers
    )
    deleted = await client.delete(url, headers=world.reseller_b.headers)

    assert patched.status_code == 404
    assert deleted.status_code == 404
    listing = await client.get(members_url(world.reseller_a.id), headers=world.reseller_a.headers)
    roles = {m["email"]: m["role"] for m in listing.json()["items"]}
    assert roles[people.reseller_staff.email] == "reseller_staff"


async def test_two_admins_removed_at_once_leave_one_behind(
    client: httpx.AsyncClient, world: World, people: People, database: Database
) -> None:
    async with database.transaction() as session:
        second = await make_person(session, world.customer_a.organization, Role.CUSTOMER_ADMIN)

    # Two different callers, so nothing else (such as a token's last use) orders the two requests.
    responses = await asyncio.gather(
        client.delete(
            members_url(world.customer_a.id, people.customer_admin.id),
            headers=world.reseller_a.headers,
        ),
        client.delete(members_url(world.customer_a.id, second.id), headers=world.platform.headers),
    )

    assert sorted(r.status_code for r in responses) == [204, 409]
    listing = await client.get(members_url(world.customer_a.id), headers=world.reseller_a.headers)
    assert [m["role"] for m in listing.json()["items"]].count("customer_admin") == 1
