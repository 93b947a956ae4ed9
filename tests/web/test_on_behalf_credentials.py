"""While staff act for a customer, nobody's credentials change: not through the API the pages
call, not through the password and email pages. And ``/api/v1/me`` says who acts for whom."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from tenantry.db import Database
from tenantry.models import ApiToken, AuditEvent, OutboxItem, Role, User
from tenantry.security import CREDENTIAL_PERMISSIONS, ROLE_PERMISSIONS
from tests.factories import World
from tests.web.conftest import People, csrf_token, sign_in
from tests.web.html import Page
from tests.web.on_behalf_support import open_as, window_until

REFUSED = "you are acting for Alpha Customer, so passwords, email addresses, people, API tokens"


@pytest.fixture
async def acting(client: httpx.AsyncClient, people: People, world: World) -> dict[str, str]:
    """Reseller A's admin acting for Alpha Customer; the headers the pages' scripts would send."""
    await sign_in(client, people.reseller_admin.email)
    response = await open_as(client, world.customer_a.id)
    assert response.status_code == 303
    return {"X-CSRF-Token": await csrf_token(client)}


async def counts(database: Database) -> tuple[int, int]:
    """Audit events and queued jobs (emails): neither may grow when a change is refused."""
    async with database.transaction(write=False) as session:
        events = (await session.execute(select(func.count()).select_from(AuditEvent))).scalar()
        jobs = (await session.execute(select(func.count()).select_from(OutboxItem))).scalar()
    return events or 0, jobs or 0


async def test_people_tokens_and_the_sign_in_requirement_cannot_change(
    client: httpx.AsyncClient,
    people: People,
    world: World,
    database: Database,
    acting: dict[str, str],
) -> None:
    customer = f"/api/v1/organizations/{world.customer_a.id}"
    member = f"{customer}/members/{people.customer_admin.id}"
    async with database.transaction(write=False) as session:
        token_id = (
            await session.execute(
                select(ApiToken.id).where(ApiToken.organization_id == world.customer_a.id)
            )
        ).scalar_one()
    attempts: list[tuple[str, str, dict[str, Any] | None]] = [
        ("POST", f"{customer}/invitations", {"email": "new@example.com", "role": "customer_user"}),
        ("PATCH", member, {"role": "customer_user"}),
        ("DELETE", member, None),
        ("GET", f"{customer}/api-tokens", None),
        ("POST", f"{customer}/api-tokens", {"name": "erp", "role": "customer_user"}),
        ("DELETE", f"{customer}/api-tokens/{token_id}", None),
        ("PUT", f"{customer}/sign-in-requirement", {"requirement": "microsoft"}),
    ]  # fmt: skip
    before = await counts(database)

    for method, url, body in attempts:
        response = await client.request(method, url, json=body, headers=acting)

        assert response.status_code == 403, (method, url, response.text)
        assert response.json()["code"] == "acting_on_behalf"
        assert response.json()["detail"].startswith(REFUSED)

    assert await counts(database) == before
    members = await client.get(f"{customer}/members", headers=acting)
    assert members.status_code == 200  # seeing who belongs is not a change


async def test_the_customer_page_offers_no_sign_in_requirement_form(
    client: httpx.AsyncClient, world: World, acting: dict[str, str]
) -> None:
    action = f"/organizations/{world.customer_a.id}/sign-in-requirement"
    page = Page((await client.get(f"/organizations/{world.customer_a.id}")).text)
    assert not page.find_all("form", action=action)

    response = await client.post(
        action, data={"csrf_token": acting["X-CSRF-Token"], "requirement": "microsoft"}
    )

    assert response.status_code == 403
    assert "Alpha Customer, so passwords" in Page(response.text).by_id("main").text


async def test_no_email_confirmation_link_is_sent(
    client: httpx.AsyncClient, people: People, database: Database, acting: dict[str, str]
) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(User).where(User.id == people.reseller_admin.id).values(email_verified_at=None)
        )
    before = await counts(database)

    response = await client.post("/verify-email/send", data={"csrf_token": acting["X-CSRF-Token"]})

    assert response.status_code == 403
    assert "Alpha Customer, so passwords" in Page(response.text).by_id("main").text
    assert await counts(database) == before


@pytest.mark.parametrize("path", ["/forgot-password", "/reset-password"])
async def test_passwords_cannot_be_reset_from_the_browser(
    client: httpx.AsyncClient,
    people: People,
    database: Database,
    acting: dict[str, str],
    path: str,
) -> None:
    form = Page((await client.get("/forgot-password")).text)
    before = await counts(database)

    response = await client.post(
        path,
        data={
            "csrf_token": form.field("csrf_token")["value"],
            "email": people.customer_admin.email,
            "token": "trp_anything",
            "password": "a brand new passphrase",
            "password_confirmation": "a brand new passphrase",
        },
    )

    assert response.status_code == 403
    assert "Alpha Customer, so passwords" in Page(response.text).by_id("main").text
    assert await counts(database) == before


async def test_me_says_who_acts_for_whom(
    client: httpx.AsyncClient,
    people: People,
    world: World,
    database: Database,
    acting: dict[str, str],
) -> None:
    staff = people.reseller_admin

    me = (await client.get("/api/v1/me")).json()

    assert me["organization"]["id"] == str(world.customer_a.id)
    assert me["role"] == "customer_admin"
    assert me["label"] == f"{staff.full_name} <{staff.email}> (Alpha Reseller)"
    assert me["user"]["id"] == str(staff.id)
    assert me["on_behalf_of"] == "Alpha Customer"
    until = await window_until(database)
    assert me["on_behalf_until"].replace("Z", "+00:00") == until.isoformat()
    granted = ROLE_PERMISSIONS[Role.CUSTOMER_ADMIN] - CREDENTIAL_PERMISSIONS
    assert me["permissions"] == sorted(p.value for p in granted)
    assert [m["organization"]["display_name"] for m in me["memberships"]] == ["Alpha Reseller"]


async def test_me_of_someone_not_acting_names_nobody(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.reseller_admin.email)

    me = (await client.get("/api/v1/me")).json()

    assert me["on_behalf_of"] is None
    assert me["on_behalf_until"] is None
    assert me["permissions"] == sorted(p.value for p in ROLE_PERMISSIONS[Role.RESELLER_ADMIN])
