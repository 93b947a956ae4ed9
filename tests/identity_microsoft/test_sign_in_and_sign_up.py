"""Signing in, and signing up, with a personal Microsoft account or a work account."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import select

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.identity.auth import SESSION_COOKIE
from tenantry.identity.microsoft.oidc import MicrosoftSignIn
from tenantry.identity.service import add_membership
from tenantry.models import (
    AuditEvent,
    AuthSession,
    ExternalIdentity,
    Role,
    SignInMethod,
    User,
)
from tenantry.settings import Settings
from tests.factories import World
from tests.identity_microsoft.conftest import (
    APP_URL,
    CONSUMER_TENANT_ID,
    LOGIN_HOST,
    IdentityPlatform,
    at_microsoft,
    count,
    pick,
    sign_in_with_microsoft,
)
from tests.web.html import Page


async def test_the_sign_in_page_offers_both_kinds_of_microsoft_account(
    client: httpx.AsyncClient, world: World
) -> None:
    page = Page((await client.get("/sign-in?next=/organizations/new")).text)

    personal = page.by_id("microsoft-personal")
    work = page.by_id("microsoft-work")
    assert personal.text == "Sign in with a personal Microsoft account"
    assert work.text == "Sign in with a work account"
    assert personal["href"] == "/sign-in/microsoft?account=personal&next=/organizations/new"
    assert work["href"] == "/sign-in/microsoft?account=work&next=/organizations/new"
    # The password form is still there.
    assert page.field("password")["type"] == "password"


async def test_the_way_to_microsoft_carries_state_nonce_and_pkce(
    client: httpx.AsyncClient, world: World
) -> None:
    start = await client.get("/sign-in/microsoft?account=work&next=/organizations")

    assert start.status_code == 302
    target = urlsplit(start.headers["location"])
    assert target.netloc == LOGIN_HOST
    assert target.path == "/organizations/oauth2/v2.0/authorize"
    query = {key: values[0] for key, values in parse_qs(target.query).items()}
    assert query["response_type"] == "code"
    assert query["redirect_uri"] == "http://testserver/sign-in/microsoft/callback"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert set(query["scope"].split()) == {"openid", "profile", "email"}
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    cookie = next(
        c for c in start.headers.get_list("set-cookie") if c.startswith("tenantry_microsoft")
    )
    assert "HttpOnly" in cookie and "Path=/sign-in/microsoft" in cookie
    assert query["state"] not in cookie  # signed, not readable as the state itself
    personal = await client.get("/sign-in/microsoft?account=personal")
    assert urlsplit(personal.headers["location"]).path == "/consumers/oauth2/v2.0/authorize"


async def test_personal_sign_up_creates_a_verified_person_who_goes_on_to_register(
    client: httpx.AsyncClient,
    identity_platform: IdentityPlatform,
    database: Database,
    world: World,
) -> None:
    username = await identity_platform.personal_account("avery.jensen@outlook.com")

    done = await sign_in_with_microsoft(client, username, next_path="/organizations/new")

    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/register/organization?next=/organizations/new"
    assert SESSION_COOKIE in client.cookies
    async with database.transaction(write=False) as session:
        user = (await session.execute(select(User))).scalars().one()
        identity = (await session.execute(select(ExternalIdentity))).scalars().one()
        auth_session = (await session.execute(select(AuthSession))).scalars().one()
        signed_up = (
            await session.execute(select(AuditEvent).where(AuditEvent.action == "user.signed_up"))
        ).scalar_one()
    assert user.email == "avery.jensen@outlook.com"
    assert user.full_name == "Avery Jensen"
    assert user.email_verified_at is not None
    assert user.password_hash is None
    assert identity.user_id == user.id
    assert identity.method is SignInMethod.MICROSOFT_PERSONAL
    assert identity.tenant_id == CONSUMER_TENANT_ID
    assert auth_session.user_id == user.id
    assert auth_session.method is SignInMethod.MICROSOFT_PERSONAL
    assert auth_session.organization_id is None
    assert signed_up.platform_id == world.platform.id
    assert signed_up.changes["after"]["sign_in_method"] == "microsoft_personal"


async def test_signing_in_again_finds_the_same_person(
    new_browser: Callable[[], httpx.AsyncClient],
    identity_platform: IdentityPlatform,
    database: Database,
    world: World,
) -> None:
    username = await identity_platform.personal_account("priya.patel@hotmail.com", "Priya Patel")
    async with new_browser() as first:
        await sign_in_with_microsoft(first, username)

    async with new_browser() as second:
        again = await sign_in_with_microsoft(second, username)

    assert again.status_code == 303
    assert again.headers["location"].startswith("/register/organization")
    assert await count(database, User) == 1
    assert await count(database, ExternalIdentity) == 1
    assert await count(database, AuthSession) == 2


async def test_a_member_signing_in_with_microsoft_lands_in_their_organization(
    client: httpx.AsyncClient,
    identity_platform: IdentityPlatform,
    database: Database,
    world: World,
) -> None:
    username = await identity_platform.personal_account("avery.jensen@outlook.com")
    first = await sign_in_with_microsoft(client, username)
    assert first.headers["location"].startswith("/register/organization")
    async with database.transaction() as session:
        user = (await session.execute(select(User))).scalars().one()
        await add_membership(
            session, None, user, world.customer_a.organization, Role.CUSTOMER_ADMIN
        )

    again = await sign_in_with_microsoft(client, username, next_path="/audit")

    assert again.status_code == 303
    assert again.headers["location"] == "/audit"
    page = Page((await client.get("/organizations")).text)
    assert "Alpha Customer" in page.text


async def test_a_work_account_from_an_allowed_domain_signs_up(
    client: httpx.AsyncClient,
    identity_platform: IdentityPlatform,
    database: Database,
    world: World,
) -> None:
    work = await identity_platform.work_account("fabrikamdental")
    allowed = await client.patch(
        "/api/v1/platform/config",
        json={"work_account_domains": ["contoso.example", work.domain.upper()]},
        headers=world.platform.headers,
    )
    assert allowed.status_code == 200, allowed.text

    done = await sign_in_with_microsoft(client, work.username, account="work")

    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/register/organization?next=/organizations"
    async with database.transaction(write=False) as session:
        user = (await session.execute(select(User))).scalars().one()
        identity = (await session.execute(select(ExternalIdentity))).scalars().one()
    assert user.email == work.username.lower()
    assert user.email_verified_at is not None
    assert identity.method is SignInMethod.MICROSOFT_WORK
    assert identity.tenant_id == work.tenant_id


async def test_a_work_account_from_another_domain_is_refused_and_told_what_to_do(
    client: httpx.AsyncClient,
    identity_platform: IdentityPlatform,
    database: Database,
    world: World,
) -> None:
    work = await identity_platform.work_account("woodgroveclinic")
    domain = work.domain

    refused = await sign_in_with_microsoft(
        client, work.username, account="work", next_path="/audit"
    )

    assert refused.status_code == 403
    page = Page(refused.text)
    platform = world.platform.organization.display_name
    assert page.find("h1").text == "This work account cannot be used here"
    assert page.by_id("problem").text == (
        f"Work accounts from {domain} cannot be used to register at {platform}: {platform} "
        "accepts work accounts only from the organizations it has agreed this with. You can do "
        "one of these instead:"
    )
    ways = {a.text: a["href"] for a in page.find_all("a", class_="way")}
    assert ways == {
        "Register with your email address and a password": "/store",
        "Sign in with a personal Microsoft account": (
            "/sign-in/microsoft?account=personal&next=%2Faudit"
        ),
    }
    assert f"Or ask {platform} to allow work accounts from {domain}" in page.text
    assert await count(database, User) == 0
    assert await count(database, ExternalIdentity) == 0
    assert SESSION_COOKIE not in client.cookies


async def test_cancelling_at_microsoft_comes_back_to_a_way_to_try_again(
    client: httpx.AsyncClient, identity_platform: IdentityPlatform, world: World
) -> None:
    username = await identity_platform.personal_account("mateo.garcia@outlook.com")
    page = await at_microsoft(client, next_path="/audit")

    cancelled = await client.get(await pick(client, page, username, action="cancel"))

    assert cancelled.status_code == 400
    shown = Page(cancelled.text)
    assert "Signing in with Microsoft was cancelled, so you are not signed in" in (
        shown.by_id("problem").text
    )
    ways = {a.text: a["href"] for a in shown.find_all("a", class_="way")}
    assert ways["Sign in with your email address and password"] == "/sign-in?next=%2Faudit"
    assert ways["Sign in with a personal Microsoft account"].endswith("next=%2Faudit")
    assert SESSION_COOKIE not in client.cookies


async def test_production_offers_microsoft_only_once_a_real_app_registration_is_set(
    settings: Settings, database: Database, world: World
) -> None:
    production = settings.model_copy(update={"environment": "production", "secret_key": "s" * 40})
    registered = production.model_copy(
        update={"microsoft_client_id": "real-client-id", "microsoft_client_secret": "real-secret"}
    )
    assert MicrosoftSignIn(settings).offered  # development and tests: the sandbox's app

    app = create_app(production, database=database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=APP_URL
    ) as browser:
        page = Page((await browser.get("/sign-in")).text)
        start = await browser.get("/sign-in/microsoft?account=personal")

    assert not page.find_all(id="microsoft-personal")
    assert page.field("password")  # signing in with a password goes on as before
    assert start.status_code == 404
    assert MicrosoftSignIn(registered).offered
    assert not MicrosoftSignIn(registered.model_copy(update={"microsoft_client_id": ""})).offered
