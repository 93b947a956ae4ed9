"""What is refused: a way back this browser did not start, ID tokens that do not check out, and
an email address that belongs to an account already (until its password is given)."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from tenantry.db import Database
from tenantry.identity.auth import SESSION_COOKIE
from tenantry.models import AuditEvent, AuthSession, ExternalIdentity, Role, SignInMethod, User
from tests.factories import World
from tests.identity_microsoft.conftest import (
    CONSUMER_TENANT_ID,
    LOGIN_URL,
    PASSWORD,
    IdentityPlatform,
    at_microsoft,
    count,
    member,
    pick,
    sign_in_with_microsoft,
)
from tests.web.html import Page

NOT_CONFIRMED = "We could not confirm your sign-in with Microsoft. Please try again."
EXPIRED = "This sign-in has expired or was started in another window"


async def test_a_way_back_this_browser_did_not_start_is_refused(
    new_browser: Callable[[], httpx.AsyncClient],
    identity_platform: IdentityPlatform,
    database: Database,
    world: World,
) -> None:
    """Someone sends their own way back (with their code) to another person's browser."""
    username = await identity_platform.personal_account("avery.jensen@outlook.com")
    async with new_browser() as attacker, new_browser() as victim:
        way_back = await pick(attacker, await at_microsoft(attacker), username)
        refused = await victim.get(way_back)

    assert refused.status_code == 400
    assert EXPIRED in Page(refused.text).by_id("problem").text
    assert SESSION_COOKIE not in victim.cookies
    assert await count(database, User) == 0


async def test_a_way_back_with_another_state_is_refused(
    client: httpx.AsyncClient, identity_platform: IdentityPlatform, database: Database, world: World
) -> None:
    username = await identity_platform.personal_account("avery.jensen@outlook.com")
    way_back = await pick(client, await at_microsoft(client), username)
    altered = way_back.replace("state=", "state=x")

    refused = await client.get(altered)

    assert refused.status_code == 400
    assert EXPIRED in Page(refused.text).by_id("problem").text
    # The sign-in this browser started ends with the refusal: its own way back is refused too.
    assert await count(database, User) == 0
    assert (await client.get(way_back)).status_code == 400


# A key the identity platform never published.
OTHER_KEY = RSAKey.generate_key(2048, private=True)


@pytest.mark.parametrize(
    "tampering",
    [
        "signed with another key",
        "for another app",
        "another nonce",
        "expired",
        "issued by another authority",
        "a work account's token on the personal way",
    ],
)
async def test_an_id_token_that_does_not_check_out_is_refused(
    client: httpx.AsyncClient,
    identity_platform: IdentityPlatform,
    database: Database,
    world: World,
    tampering: str,
) -> None:
    username = await identity_platform.personal_account("avery.jensen@outlook.com")
    key = identity_platform.app.state.sandbox.tokens.signing_key
    now = int(time.time())
    tamperings: dict[str, dict[str, object]] = {
        "signed with another key": {},
        "for another app": {"aud": "00000000-0000-0000-0000-000000000001"},
        "another nonce": {"nonce": "replayed-nonce"},
        "expired": {"exp": now - 3600, "iat": now - 7200, "nbf": now - 7200},
        "issued by another authority": {"iss": f"https://evil.example/{CONSUMER_TENANT_ID}/v2.0"},
        "a work account's token on the personal way": {
            "tid": "3b33e682-00c3-41ee-9dd2-a548adf56438",
            "iss": f"{LOGIN_URL}/3b33e682-00c3-41ee-9dd2-a548adf56438/v2.0",
        },
    }
    edits = tamperings[tampering]

    def edit(token: str) -> str:
        decoded = jwt.decode(token, key, algorithms=["RS256"])
        signer = OTHER_KEY if tampering == "signed with another key" else key
        return jwt.encode(dict(decoded.header), {**decoded.claims, **edits}, signer)

    identity_platform.transport.edit = edit
    refused = await sign_in_with_microsoft(client, username)

    assert refused.status_code == 400, refused.text
    assert Page(refused.text).by_id("problem").text == NOT_CONFIRMED
    assert SESSION_COOKIE not in client.cookies
    assert await count(database, User) == 0


async def test_an_address_that_has_an_account_is_added_to_it_only_with_its_password(
    client: httpx.AsyncClient,
    identity_platform: IdentityPlatform,
    database: Database,
    world: World,
) -> None:
    email = "casey.member@outlook.com"
    casey = await member(database, world.customer_a.organization, Role.CUSTOMER_ADMIN, email)
    await identity_platform.personal_account(email, "Someone Else")

    asked = await sign_in_with_microsoft(client, email, next_path="/audit")

    assert asked.status_code == 409
    page = Page(asked.text)
    assert page.find("h1").text == "You have an account already"
    assert f"An account with the email address {email} exists already" in page.text
    assert SESSION_COOKIE not in client.cookies
    assert await count(database, User) == 1
    assert await count(database, ExternalIdentity) == 0

    token = page.field("csrf_token")["value"]
    wrong = await client.post(
        "/sign-in/microsoft/add", data={"csrf_token": token, "password": "not the password"}
    )
    assert wrong.status_code == 401
    assert Page(wrong.text).by_id("f-password-error").text == "Error: This password is not right."
    forged_form = await client.post(
        "/sign-in/microsoft/add", data={"csrf_token": "forged", "password": PASSWORD}
    )
    assert forged_form.status_code == 403
    assert await count(database, ExternalIdentity) == 0

    added = await client.post(
        "/sign-in/microsoft/add", data={"csrf_token": token, "password": PASSWORD}
    )

    assert added.status_code == 303, added.text
    assert added.headers["location"] == "/audit"
    async with database.transaction(write=False) as session:
        identity = (await session.execute(select(ExternalIdentity))).scalar_one()
        auth_session = (await session.execute(select(AuthSession))).scalar_one()
        event = (
            await session.execute(
                select(AuditEvent).where(AuditEvent.action == "user.microsoft_account_added")
            )
        ).scalar_one()
        name = (await session.get(User, casey.id)).full_name  # type: ignore[union-attr]
    assert identity.user_id == casey.id
    assert auth_session.method is SignInMethod.MICROSOFT_PERSONAL
    assert auth_session.organization_id == world.customer_a.id
    assert event.target_id == str(casey.id)
    assert name == "Casey Member"  # the account keeps its own name

    client.cookies.clear()
    again = await sign_in_with_microsoft(client, email)
    assert again.status_code == 303
    assert again.headers["location"] == "/organizations"


async def test_an_address_whose_account_has_no_password_is_told_how_to_proceed(
    client: httpx.AsyncClient,
    identity_platform: IdentityPlatform,
    database: Database,
    world: World,
) -> None:
    email = "invited.person@outlook.com"
    await member(database, world.customer_a.organization, Role.CUSTOMER_USER, email, password=False)
    await identity_platform.personal_account(email)

    refused = await sign_in_with_microsoft(client, email)

    assert refused.status_code == 409
    page = Page(refused.text)
    assert f"An account with the email address {email} exists already, but it has no password" in (
        page.by_id("problem").text
    )
    assert [a["href"] for a in page.find_all("a", class_="way")] == ["/forgot-password"]
    assert await count(database, ExternalIdentity) == 0
