"""Signing in to the pages, choosing an organization, signing out, and throttled guessing."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.identity.auth import SESSION_COOKIE
from tenantry.identity.sign_in.throttle import TRUSTED_BROWSER_COOKIE
from tenantry.models import AuditEvent, AuthSession
from tests.factories import World
from tests.web.conftest import (
    ATTEMPTS_PER_ADDRESS,
    ATTEMPTS_PER_HOUR,
    PASSWORD,
    People,
    csrf_token,
    put_cookie,
    sign_in,
)
from tests.web.html import Page

WRONG = "The email address or password is not right."


async def test_unauthenticated_page_redirects_to_sign_in_and_back(
    client: httpx.AsyncClient, people: People
) -> None:
    response = await client.get("/organizations?status=active")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/organizations%3Fstatus%3Dactive"

    form = Page((await client.get(response.headers["location"])).text)
    assert form.field("next")["value"] == "/organizations?status=active"
    signed_in = await sign_in(
        client, people.reseller_admin.email, next_path="/organizations?status=active"
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/organizations?status=active"
    assert (await client.get("/organizations?status=active")).status_code == 200


async def test_session_cookie_is_httponly_lax_and_only_a_hash_is_stored(
    client: httpx.AsyncClient, people: People, database: Database
) -> None:
    response = await sign_in(client, people.reseller_admin.email)
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    assert "Path=/" in cookie
    secret = client.cookies[SESSION_COOKIE]
    async with database.transaction() as session:
        stored = (await session.execute(select(AuthSession.token_hash))).scalars().all()
    assert len(stored) == 1
    assert secret not in stored[0]


async def test_secure_flag_when_the_site_runs_on_https(
    client: httpx.AsyncClient, people: People, settings: object
) -> None:
    settings.cookie_secure = True  # type: ignore[attr-defined]
    response = await sign_in(client, people.reseller_admin.email)
    cookies = response.headers.get_list("set-cookie")
    assert all("Secure" in c for c in cookies if c.startswith(f"{SESSION_COOKIE}="))


async def test_wrong_password_and_unknown_account_get_the_same_answer(
    client: httpx.AsyncClient, people: People
) -> None:
    wrong = await sign_in(client, people.reseller_admin.email, password="not the password")
    unknown = await sign_in(client, "nobody@example.com", password="not the password")
    for response in (wrong, unknown):
        assert response.status_code == 401
        page = Page(response.text)
        assert WRONG in page.by_id("main").text
        assert SESSION_COOKIE not in response.cookies
    # The email typed stays in the form; the password never comes back.
    page = Page(wrong.text)
    assert page.field("email")["value"] == people.reseller_admin.email
    assert page.field("password").get("value") == ""


async def test_empty_fields_are_shown_beside_the_field(
    client: httpx.AsyncClient, people: People
) -> None:
    response = await sign_in(client, "", password="")
    assert response.status_code == 422
    page = Page(response.text)
    email = page.field("email")
    assert email["aria-invalid"] == "true"
    assert "f-email-error" in email["aria-describedby"]
    assert page.by_id("f-email-error").text == "Error: Enter your email address."


async def test_sign_in_form_refuses_a_post_without_its_token(
    client: httpx.AsyncClient, people: People
) -> None:
    response = await client.post(
        "/sign-in", data={"email": people.reseller_admin.email, "password": "x" * 12}
    )
    assert response.status_code == 403
    assert "expired" in Page(response.text).by_id("main").text


async def test_next_must_be_a_path_on_this_site(client: httpx.AsyncClient, people: People) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        client.cookies.clear()
        response = await sign_in(client, people.reseller_admin.email, next_path=target)
        assert response.headers["location"] == "/organizations", target


async def test_sign_in_replaces_the_session_the_browser_had(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.reseller_admin.email)
    planted = client.cookies[SESSION_COOKIE]
    client.cookies.delete(SESSION_COOKIE)
    form = Page((await client.get("/sign-in")).text)
    put_cookie(client, SESSION_COOKIE, planted)
    response = await client.post(
        "/sign-in",
        data={
            "csrf_token": form.field("csrf_token")["value"],
            "email": people.reseller_staff.email,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 303
    fresh = client.cookies[SESSION_COOKIE]
    assert fresh != planted
    put_cookie(client, SESSION_COOKIE, planted)
    assert (await client.get("/organizations")).status_code == 303  # the old one is gone


async def test_blocked_organization_cannot_sign_in(
    client: httpx.AsyncClient, people: People
) -> None:
    response = await sign_in(client, people.blocked_customer_user.email)
    assert response.status_code == 403
    text = Page(response.text).by_id("main").text
    assert "You cannot sign in" in text
    assert "blocked" in text
    assert SESSION_COOKIE not in response.cookies


async def test_person_in_two_organizations_chooses_one(
    client: httpx.AsyncClient, people: People, database: Database
) -> None:
    response = await sign_in(client, people.two_organizations.email, next_path="/audit")
    assert response.headers["location"] == "/select-organization?next=/audit"
    # Until a choice is made, pages send the person back to choose.
    assert (
        (await client.get("/organizations")).headers["location"].startswith("/select-organization")
    )
    page = Page((await client.get("/select-organization?next=/audit")).text)
    choices = {b.text: b["value"] for b in page.find_all("button", name="organization_id")}
    assert set(choices) == {"Alpha Reseller", "Beta Customer"}
    token = page.field("csrf_token")["value"]

    chosen = await client.post(
        "/select-organization",
        data={"csrf_token": token, "organization_id": choices["Beta Customer"], "next": "/audit"},
    )
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/audit"
    listing = Page((await client.get("/organizations")).text)
    assert [a.text for a in listing.find_all("a") if a.get("href", "").startswith("/organizations/")
            and a.text] == ["Beta Customer"]  # fmt: skip
    async with database.transaction() as session:
        entered = await session.scalar(
            select(func.count()).where(AuditEvent.action == "user.signed_in")
        )
    assert entered == 1


async def test_the_next_sign_in_starts_in_the_organization_chosen_last(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.two_organizations.email)
    page = Page((await client.get("/select-organization")).text)
    choices = {b.text: b["value"] for b in page.find_all("button", name="organization_id")}
    await client.post(
        "/select-organization",
        data={"csrf_token": page.field("csrf_token")["value"],
              "organization_id": choices["Beta Customer"], "next": "/organizations"},
    )  # fmt: skip
    client.cookies.clear()
    again = await sign_in(client, people.two_organizations.email, next_path="/audit")
    assert again.headers["location"] == "/audit"  # no choice to make: Beta Customer again
    me = Page((await client.get("/organizations")).text)
    assert "Beta Customer" in me.by_id("main").text
    switch = Page((await client.get("/select-organization")).text)
    assert switch.find_all("button", name="organization_id")  # and switching is still offered


async def test_choosing_needs_the_csrf_token(client: httpx.AsyncClient, people: People) -> None:
    await sign_in(client, people.two_organizations.email)
    page = Page((await client.get("/select-organization")).text)
    organization_id = page.find_all("button", name="organization_id")[0]["value"]
    response = await client.post("/select-organization", data={"organization_id": organization_id})
    assert response.status_code == 403


async def test_sign_out_ends_the_session(client: httpx.AsyncClient, people: People) -> None:
    await sign_in(client, people.reseller_admin.email)
    secret = client.cookies[SESSION_COOKIE]
    token = await csrf_token(client)
    refused = await client.post("/sign-out", data={})
    assert refused.status_code == 403
    response = await client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?signed_out=1"
    put_cookie(client, SESSION_COOKIE, secret)
    assert (await client.get("/organizations")).status_code == 303


async def test_guessing_one_account_is_throttled(client: httpx.AsyncClient, people: People) -> None:
    email = people.reseller_admin.email
    for _ in range(ATTEMPTS_PER_HOUR):
        assert (await sign_in(client, email, password="guess")).status_code == 401
    throttled = await sign_in(client, email)  # even the right password waits now
    assert throttled.status_code == 429
    assert 60 <= int(throttled.headers["Retry-After"]) <= 3600
    assert "Too many failed sign-ins" in Page(throttled.text).by_id("main").text
    assert SESSION_COOKIE not in throttled.cookies


async def test_unknown_accounts_are_throttled_alike(
    client: httpx.AsyncClient, people: People
) -> None:
    for _ in range(ATTEMPTS_PER_HOUR):
        await sign_in(client, "nobody@example.com", password="guess")
    assert (await sign_in(client, "nobody@example.com", password="guess")).status_code == 429


async def test_one_address_guessing_many_accounts_is_throttled(
    client: httpx.AsyncClient, people: People
) -> None:
    for n in range(ATTEMPTS_PER_ADDRESS):
        assert (await sign_in(client, f"guess{n}@example.com", password="x")).status_code == 401
    response = await sign_in(client, people.reseller_admin.email)
    assert response.status_code == 429


async def test_attacker_elsewhere_cannot_lock_out_the_owners_browser(
    client: httpx.AsyncClient,
    people: People,
    client_from: Callable[[str], httpx.AsyncClient],
) -> None:
    email = people.reseller_admin.email
    # The owner has signed in from this browser before: it holds the trusted-browser cookie.
    assert (await sign_in(client, email)).status_code == 303
    assert TRUSTED_BROWSER_COOKIE in client.cookies
    client.cookies.delete(SESSION_COOKIE)

    async with client_from("203.0.113.9") as attacker:
        for _ in range(ATTEMPTS_PER_HOUR + 2):
            await sign_in(attacker, email, password="guess")
        assert (await sign_in(attacker, email)).status_code == 429
    async with client_from("198.51.100.7") as new_browser:
        assert (await sign_in(new_browser, email)).status_code == 429  # unknown browser waits

    assert (await sign_in(client, email)).status_code == 303  # the owner's browser does not


async def test_blocking_stops_people_who_are_signed_in(
    client: httpx.AsyncClient, people: People, world: World
) -> None:
    await sign_in(client, people.customer_admin.email)
    assert (await client.get("/organizations")).status_code == 200
    blocked = await client.post(
        f"/api/v1/organizations/{world.customer_a.id}/block",
        json={"reason": "Unpaid invoices"},
        headers=world.reseller_a.headers,
    )
    assert blocked.status_code == 200
    response = await client.get("/organizations")
    assert response.status_code == 403
    page = Page(response.text)
    assert "Alpha Customer is blocked: Unpaid invoices." in page.find("p", role="alert").text
    assert page.find("a", href="/select-organization")
