"""An organization's admin requires a sign-in method of its people, and it is enforced: at
sign-in, and mid-session at the next request. API tokens are not affected."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tenantry.db import Database
from tenantry.identity.auth import SESSION_COOKIE
from tenantry.models import AuditEvent, Role
from tests.factories import World
from tests.identity_microsoft.conftest import (
    PASSWORD,
    IdentityPlatform,
    member,
    sign_in_with_microsoft,
)
from tests.web.conftest import csrf_token, sign_in
from tests.web.html import Page

EMAIL = "casey.member@outlook.com"
REQUIRES_MICROSOFT = "Alpha Customer requires signing in with a Microsoft account"


def requirement_url(world: World) -> str:
    return f"/api/v1/organizations/{world.customer_a.id}/sign-in-requirement"


async def require(client: httpx.AsyncClient, world: World, requirement: str) -> httpx.Response:
    """Set customer A's requirement with its admin's API token."""
    return await client.put(
        requirement_url(world), json={"requirement": requirement}, headers=world.customer_a.headers
    )


async def signed_in_with_microsoft(
    client: httpx.AsyncClient, identity_platform: IdentityPlatform
) -> None:
    """Casey signs in with their personal Microsoft account (added to theirs with the password)."""
    await identity_platform.personal_account(EMAIL, "Casey Member")
    asked = await sign_in_with_microsoft(client, EMAIL)
    token = Page(asked.text).field("csrf_token")["value"]
    added = await client.post(
        "/sign-in/microsoft/add", data={"csrf_token": token, "password": PASSWORD}
    )
    assert added.status_code == 303, added.text


async def session_put(client: httpx.AsyncClient, url: str, body: dict[str, Any]) -> httpx.Response:
    """A write to the API from the browser's session (with its CSRF token)."""
    return await client.put(url, json=body, headers={"X-CSRF-Token": await csrf_token(client)})


async def requirement_events(database: Database) -> list[AuditEvent]:
    async with database.transaction(write=False) as session:
        query = select(AuditEvent).where(
            AuditEvent.action == "organization.sign_in_requirement_changed"
        )
        return list((await session.execute(query)).scalars())


async def test_an_admin_cannot_require_what_their_own_session_does_not_meet(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await member(database, world.customer_a.organization, Role.CUSTOMER_ADMIN, EMAIL)
    await sign_in(client, EMAIL)

    refused = await session_put(client, requirement_url(world), {"requirement": "microsoft"})

    assert refused.status_code == 409
    problem = refused.json()
    assert problem["errors"] == [
        {
            "field": "requirement",
            "rule": "would_lock_you_out",
            "message": "you signed in with a password, so requiring a Microsoft account would "
            "lock you out of Alpha Customer; sign out, use 'Sign in with Microsoft', then set "
            "the requirement again",
        }
    ]
    current = await client.get(requirement_url(world))
    assert current.json() == {"organization_id": str(world.customer_a.id), "requirement": "any"}
    assert await requirement_events(database) == []


@pytest.fixture
async def admin_with_microsoft(
    client: httpx.AsyncClient, identity_platform: IdentityPlatform, database: Database, world: World
) -> httpx.AsyncClient:
    """The browser of Casey, customer A's admin, signed in with their Microsoft account."""
    await member(database, world.customer_a.organization, Role.CUSTOMER_ADMIN, EMAIL)
    await signed_in_with_microsoft(client, identity_platform)
    return client


async def test_an_admin_signed_in_with_microsoft_requires_it_and_it_is_audited(
    admin_with_microsoft: httpx.AsyncClient, database: Database, world: World
) -> None:
    client = admin_with_microsoft

    done = await session_put(client, requirement_url(world), {"requirement": "microsoft"})
    again = await session_put(client, requirement_url(world), {"requirement": "microsoft"})
    work_only = await session_put(client, requirement_url(world), {"requirement": "microsoft_work"})

    assert done.status_code == 200, done.text
    assert done.json()["requirement"] == "microsoft"
    assert again.status_code == 200
    assert work_only.status_code == 409  # a personal account's session would be locked out
    assert "you signed in with a personal Microsoft account" in work_only.json()["detail"]
    events = await requirement_events(database)
    assert len(events) == 1  # setting what is set already changes nothing
    assert events[0].changes == {
        "before": {"sign_in_requirement": "any"},
        "after": {"sign_in_requirement": "microsoft"},
    }
    assert events[0].actor_label == f"Casey Member <{EMAIL}>"
    assert events[0].organization_id == world.customer_a.id
    assert (await client.get("/organizations")).status_code == 200  # still in


async def test_who_may_set_the_requirement(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    other_customer = await client.put(
        requirement_url(world), json={"requirement": "password"}, headers=world.customer_b.headers
    )
    other_reseller = await client.put(
        requirement_url(world), json={"requirement": "password"}, headers=world.reseller_b.headers
    )
    seller = await client.put(
        requirement_url(world), json={"requirement": "password"}, headers=world.reseller_a.headers
    )
    invalid = await require(client, world, "carrier_pigeon")

    assert other_customer.status_code == 404
    assert other_reseller.status_code == 404
    assert seller.status_code == 200, seller.text  # the customer's seller may do it for them
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "requirement"


async def test_password_sign_in_is_refused_where_microsoft_is_required(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await member(database, world.customer_a.organization, Role.CUSTOMER_USER, EMAIL)
    assert (await require(client, world, "microsoft")).status_code == 200

    refused = await sign_in(client, EMAIL)

    assert refused.status_code == 403
    page = Page(refused.text)
    shown = f"You cannot sign in: {REQUIRES_MICROSOFT}; use 'Sign in with Microsoft' instead."
    assert shown in page.by_id("main").text
    assert page.by_id("microsoft-personal")  # the way to comply is right there
    assert SESSION_COOKIE not in client.cookies


async def test_a_session_is_refused_at_its_next_request_once_microsoft_is_required(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await member(database, world.customer_a.organization, Role.CUSTOMER_USER, EMAIL)
    await sign_in(client, EMAIL)
    assert (await client.get("/organizations")).status_code == 200

    assert (await require(client, world, "microsoft")).status_code == 200
    page = await client.get("/organizations")
    api = await client.get("/api/v1/me")
    token = await client.get(
        f"/api/v1/organizations/{world.customer_a.id}", headers=world.customer_a.headers
    )

    assert page.status_code == 403
    assert (
        f"{REQUIRES_MICROSOFT}; sign out and use 'Sign in with Microsoft'."
        in Page(page.text).by_id("main").text
    )
    assert api.status_code == 403
    assert api.json()["reason"] == "sign_in_method_required"
    assert api.json()["sign_in_requirement"] == "microsoft"
    assert token.status_code == 200  # API tokens are not affected


async def test_a_microsoft_sign_in_is_refused_where_a_password_is_required(
    client: httpx.AsyncClient,
    identity_platform: IdentityPlatform,
    database: Database,
    world: World,
) -> None:
    await member(database, world.customer_a.organization, Role.CUSTOMER_USER, EMAIL)
    await signed_in_with_microsoft(client, identity_platform)
    assert (await require(client, world, "password")).status_code == 200
    client.cookies.clear()

    refused = await sign_in_with_microsoft(client, EMAIL)

    assert refused.status_code == 403
    assert Page(refused.text).by_id("problem").text == (
        "Alpha Customer requires signing in with an email address and password; sign in with "
        "your email address and password instead."
    )
    assert SESSION_COOKIE not in client.cookies


async def test_the_organization_page_sets_the_requirement(
    admin_with_microsoft: httpx.AsyncClient, world: World
) -> None:
    client = admin_with_microsoft
    detail = f"/organizations/{world.customer_a.id}"
    page = Page((await client.get(detail)).text)
    assert page.selected("requirement") == "any"
    form = {"csrf_token": page.field("csrf_token")["value"]}

    saved = await client.post(
        f"{detail}/sign-in-requirement", data=form | {"requirement": "microsoft"}
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{detail}?done=sign_in_requirement"
    shown = Page((await client.get(saved.headers["location"])).text)
    assert "The sign-in requirement is saved." in shown.text
    assert shown.selected("requirement") == "microsoft"

    refused = await client.post(
        f"{detail}/sign-in-requirement", data=form | {"requirement": "password"}
    )
    assert refused.status_code == 409
    again = Page(refused.text)
    assert again.by_id("f-sign-in-requirement-error").text.startswith(
        "Error: You signed in with a personal Microsoft account, so requiring an email address "
        "and password would lock you out of Alpha Customer"
    )
    assert again.selected("requirement") == "password"  # what the person chose, kept


async def test_people_who_may_not_set_it_see_it(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await member(database, world.customer_a.organization, Role.CUSTOMER_USER, EMAIL)
    assert (await require(client, world, "password")).status_code == 200
    await sign_in(client, EMAIL)

    page = Page((await client.get(f"/organizations/{world.customer_a.id}")).text)
    posted = await client.post(
        f"/organizations/{world.customer_a.id}/sign-in-requirement",
        data={"csrf_token": await csrf_token(client), "requirement": "any"},
    )

    assert page.by_id("sign-in-requirement").text == "An email address and password"
    assert not page.find_all("select", name="requirement")
    assert posted.status_code == 403
