"""``GET /api/v1/me``: the caller as the API sees it."""

from __future__ import annotations

import httpx

from tenantry.db import Database
from tenantry.identity.service import add_membership
from tenantry.models import Role
from tenantry.security import ROLE_PERMISSIONS
from tests.factories import World
from tests.identity.factories import People, make_person, sign_in


async def test_a_token_sees_its_organization_role_and_permissions(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get("/api/v1/me", headers=world.reseller_a.headers)

    assert response.status_code == 200, response.text
    me = response.json()
    assert me["kind"] == "api_token"
    assert me["organization"] == {
        "id": str(world.reseller_a.id),
        "kind": "reseller",
        "display_name": "Alpha Reseller",
        "status": "active",
    }
    assert me["role"] == "reseller_admin"
    assert set(me["permissions"]) == {p.value for p in ROLE_PERMISSIONS[Role.RESELLER_ADMIN]}
    assert me["api_token"]["name"] == "tests"
    assert me["user"] is None
    assert me["memberships"] == []


async def test_a_person_sees_every_organization_they_belong_to(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    async with database.transaction() as session:
        person = await make_person(
            session, world.reseller_a.organization, Role.RESELLER_STAFF, full_name="Mia Multi"
        )
        await add_membership(
            session, None, person, world.customer_b.organization, Role.CUSTOMER_ADMIN
        )
        headers = await sign_in(session, person, world.customer_b.organization)

    response = await client.get("/api/v1/me", headers=headers)

    assert response.status_code == 200, response.text
    me = response.json()
    assert me["kind"] == "user"
    assert me["user"]["full_name"] == "Mia Multi"
    assert me["label"] == f"Mia Multi <{person.email}>"
    assert me["organization"]["id"] == str(world.customer_b.id)
    assert me["role"] == "customer_admin"
    assert me["permissions"] == sorted(p.value for p in ROLE_PERMISSIONS[Role.CUSTOMER_ADMIN])
    assert [(m["organization"]["display_name"], m["role"]) for m in me["memberships"]] == [
        ("Alpha Reseller", "reseller_staff"),
        ("Beta Customer", "customer_admin"),
    ]


async def test_without_credentials_there_is_no_me(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


async def test_a_blocked_organizations_token_is_refused(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    blocked = await client.post(
        f"/api/v1/organizations/{world.customer_a.id}/block",
        json={"reason": "unpaid invoices"},
        headers=world.reseller_a.headers,
    )
    assert blocked.status_code == 200, blocked.text

    response = await client.get("/api/v1/me", headers=world.customer_a.headers)

    assert response.status_code == 403
    assert "unpaid invoices" in response.json()["detail"]
