"""Page tests: people with passwords in the test world, and signing in as they would."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.db import Database
from tenantry.identity.passwords.hashing import hash_password
from tenantry.identity.service import add_membership, create_user
from tenantry.models import Organization, OrganizationStatus, Role, User
from tests.factories import World, make_organization
from tests.web.html import Page

PASSWORD = "correct horse battery staple"
# Low, so throttling is reached in a few attempts; per address it is five times this.
ATTEMPTS_PER_HOUR = 3
ATTEMPTS_PER_ADDRESS = 2 * ATTEMPTS_PER_HOUR
_numbers = itertools.count(1)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "login_attempts_per_hour": ATTEMPTS_PER_HOUR,
        "login_attempts_per_hour_per_address": ATTEMPTS_PER_ADDRESS,
    }


@dataclass
class People:
    platform_admin: User
    reseller_admin: User  # of reseller A
    reseller_staff: User  # of reseller A
    reseller_b_admin: User
    customer_admin: User  # of customer A
    blocked_customer_user: User  # only in a blocked customer
    two_organizations: User  # staff of reseller A and admin of customer B


_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose


async def person(session: AsyncSession, organization: Organization, role: Role) -> User:
    """Someone with the test password and a role in the organization."""
    n = next(_numbers)
    user = await create_user(
        session, email=f"person{n}@example.com", full_name=f"Person {n}", password=None,
        verified=True,
    )  # fmt: skip
    user.password_hash = _PASSWORD_HASH
    await add_membership(session, None, user, organization, role)
    return user


@pytest.fixture
async def people(database: Database, world: World) -> People:
    async with database.transaction() as session:
        blocked = await make_organization(
            session, world.platform.organization, parent=world.reseller_a.organization,
            legal_name="Blocked Customer", status=OrganizationStatus.BLOCKED,
            status_reason="unpaid invoices",
        )  # fmt: skip
        both = await person(session, world.reseller_a.organization, Role.RESELLER_STAFF)
        await add_membership(
            session, None, both, world.customer_b.organization, Role.CUSTOMER_ADMIN
        )
        return People(
            platform_admin=await person(session, world.platform.organization, Role.PLATFORM_ADMIN),
            reseller_admin=await person(
                session, world.reseller_a.organization, Role.RESELLER_ADMIN
            ),
            reseller_staff=await person(
                session, world.reseller_a.organization, Role.RESELLER_STAFF
            ),
            reseller_b_admin=await person(
                session, world.reseller_b.organization, Role.RESELLER_ADMIN
            ),
            customer_admin=await person(
                session, world.customer_a.organization, Role.CUSTOMER_ADMIN
            ),
            blocked_customer_user=await person(session, blocked, Role.CUSTOMER_USER),
            two_organizations=both,
        )


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, next_path: str = ""
) -> httpx.Response:
    """Open the sign-in page and submit it, as a browser does (cookies kept by the client)."""
    form = Page((await client.get("/sign-in")).text)
    return await client.post(
        "/sign-in",
        data={
            "csrf_token": form.field("csrf_token")["value"],
            "email": email,
            "password": password,
            "next": next_path,
        },
    )


async def csrf_token(client: httpx.AsyncClient, path: str = "/organizations") -> str:
    """The session's CSRF token, from the hidden field of a page's forms."""
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return Page(response.text).field("csrf_token")["value"]


async def post_form(
    client: httpx.AsyncClient, path: str, data: Mapping[str, str | list[str]] | None = None
) -> httpx.Response:
    """Submit a form with the session's CSRF token, as the page's own form would."""
    return await client.post(path, data={"csrf_token": await csrf_token(client), **(data or {})})


@pytest.fixture
def client_from(app: FastAPI) -> Callable[[str], httpx.AsyncClient]:
    """A client for another network address (throttling counts per address)."""

    def make(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    return make


def put_cookie(client: httpx.AsyncClient, name: str, value: str) -> None:
    """Set a cookie as the server would have (the jar files the test host as testserver.local)."""
    client.cookies.set(name, value, domain="testserver.local", path="/")
