"""Login on behalf of a customer: who may open a customer, the banner, ending it, running out."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from tenantry.db import Database
from tenantry.identity import tasks as identity_tasks
from tenantry.identity.email import tokens as email_tokens
from tenantry.identity.passwords import reset as password_reset
from tenantry.models import AuditEvent, EmailTokenPurpose, Organization, User
from tests.factories import World
from tests.web.conftest import People, csrf_token, post_form, sign_in
from tests.web.html import Page
from tests.web.on_behalf_support import (
    audit_events,
    banner,
    expire_window,
    open_as,
    refused,
    window_until,
)


async def test_staff_open_a_customer_and_every_page_says_who_acts_for_whom(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    staff = people.reseller_staff
    await sign_in(client, staff.email)
    customer = world.customer_a

    detail = Page((await client.get(f"/organizations/{customer.id}")).text)
    button = detail.find("button", type="submit", **{"aria-describedby": "on-behalf-hint"})
    assert button.text == "Open as this customer"
    assert "for 30 minutes" in detail.by_id("on-behalf-hint").text

    response = await open_as(client, customer.id)

    assert response.status_code == 303
    assert response.headers["location"] == "/store"
    until = (await window_until(database)).strftime("%H:%M UTC")
    expected = f"{staff.full_name} (Alpha Reseller) is acting for Alpha Customer — until {until}"
    for path in ("/organizations", f"/organizations/{customer.id}", "/audit", "/store"):
        page = await client.get(path)
        assert page.status_code == 200, (path, page.text)
        assert banner(page).startswith(expected), path
        assert Page(page.text).find("form", action="/on-behalf/end")
    listing = Page((await client.get("/organizations")).text)
    assert "Alpha Customer (Customer admin)" in listing.find("span", class_="who").text
    assert [e.text for e in listing.find_all("a") if "/organizations/" in (e.get("href") or "")][
        :1
    ] == ["Alpha Customer"]
    [started] = await audit_events(database, "on_behalf.started")
    assert started.organization_id == customer.id
    assert started.actor_user_id == staff.id
    assert started.actor_label == f"{staff.full_name} <{staff.email}> (Alpha Reseller)"
    assert started.on_behalf_of_label == "Alpha Customer"


@pytest.mark.parametrize("who", ["platform_admin", "reseller_admin", "reseller_staff"])
async def test_the_seller_s_admins_and_staff_may_act(
    client: httpx.AsyncClient, people: People, world: World, who: str
) -> None:
    await sign_in(client, getattr(people, who).email)

    response = await open_as(client, world.customer_a.id)

    assert response.status_code == 303
    assert response.headers["location"] == "/store"


async def test_a_customer_admin_may_not_and_sees_no_button(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.customer_admin.email)
    detail = Page((await client.get(f"/organizations/{world.customer_a.id}")).text)
    assert not detail.find_all(action=f"/on-behalf/{world.customer_a.id}")

    response = await open_as(client, world.customer_a.id)

    await refused(database, response, 403, "may not act for customers")


async def test_another_resellers_customer_does_not_exist(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.reseller_b_admin.email)

    response = await open_as(client, world.customer_a.id)

    await refused(database, response, 404, "not found")


async def test_a_blocked_customer_and_a_reseller_cannot_be_opened(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    async with database.transaction(write=False) as session:
        blocked = (
            await session.execute(
                select(Organization.id).where(Organization.legal_name == "Blocked Customer")
            )
        ).scalar_one()
    await sign_in(client, people.platform_admin.email)
    detail = Page((await client.get(f"/organizations/{blocked}")).text)
    assert not detail.find_all(action=f"/on-behalf/{blocked}")

    blocked_customer = await open_as(client, blocked)
    reseller = await open_as(client, world.reseller_a.id)

    await refused(database, blocked_customer, 403, "Blocked Customer is blocked: unpaid invoices")
    await refused(database, reseller, 403, "not a customer you sell to")


async def test_an_api_token_cannot_act_for_a_customer(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    response = await client.post(
        f"/on-behalf/{world.customer_a.id}", headers=world.reseller_a.headers
    )

    await refused(database, response, 403, "never an API token")


async def test_opening_again_changes_nothing_and_another_customer_waits_for_the_end(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.platform_admin.email)
    await open_as(client, world.customer_a.id)

    again = await open_as(client, world.customer_a.id)
    other = await open_as(client, world.direct_customer.id)

    assert again.status_code == 303
    assert again.headers["location"] == "/store"
    assert other.status_code == 409
    assert "acting for Alpha Customer already" in Page(other.text).by_id("main").text
    assert len(await audit_events(database, "on_behalf.started")) == 1


async def test_what_staff_do_meanwhile_is_recorded_with_both_names(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    staff = people.reseller_admin
    await sign_in(client, staff.email)
    await open_as(client, world.customer_a.id)
    detail = Page((await client.get(f"/organizations/{world.customer_a.id}")).text)
    version = detail.find("input", name="version")["value"]

    saved = await post_form(
        client,
        f"/organizations/{world.customer_a.id}/profile",
        {
            "version": version,
            "display_name": "Alpha Customer Renamed",
            "address.line1": "High Street 1",
            "address.city": "Copenhagen",
            "address.postal_code": "1000",
            "address.country": "DK",
            "primary_contact.name": "Contact Person",
            "primary_contact.email": "contact@example.com",
            "preferred_currency": "EUR",
        },
    )

    assert saved.status_code == 303, saved.text
    [updated] = await audit_events(database, "organization.updated")
    assert updated.actor_label == f"{staff.full_name} <{staff.email}> (Alpha Reseller)"
    assert updated.on_behalf_of_label == "Alpha Customer"
    assert updated.organization_id == world.customer_a.id
    log = Page((await client.get(f"/audit?organization={world.customer_a.id}")).text)
    row = next(r for r in log.find_all("tr") if "organization.updated" in r.text)
    assert f"{staff.full_name} <{staff.email}> (Alpha Reseller)" in row.text
    assert "acting for Alpha Customer" in row.text


async def test_end_goes_back_to_the_customer_in_ones_own_organization(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    staff = people.reseller_admin
    await sign_in(client, staff.email)
    await open_as(client, world.customer_a.id)
    token = await csrf_token(client)

    ended = await client.post("/on-behalf/end", data={"csrf_token": token})

    assert ended.status_code == 303
    assert ended.headers["location"] == f"/organizations/{world.customer_a.id}?done=on_behalf_ended"
    page = await client.get(ended.headers["location"])
    assert banner(page) == ""
    assert "You no longer act for this customer." in Page(page.text).find(role="status").text
    assert "Alpha Reseller (Reseller admin)" in Page(page.text).find("span", class_="who").text
    [event] = await audit_events(database, "on_behalf.ended")
    assert event.changes["after"]["reason"] == "ended"
    assert event.actor_label == f"{staff.full_name} <{staff.email}> (Alpha Reseller)"
    assert event.on_behalf_of_label == "Alpha Customer"
    assert event.organization_id == world.customer_a.id

    again = await client.post("/on-behalf/end", data={"csrf_token": token})
    assert again.headers["location"] == "/organizations"
    assert len(await audit_events(database, "on_behalf.ended")) == 1


async def test_end_needs_the_csrf_token(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.reseller_admin.email)
    await open_as(client, world.customer_a.id)

    response = await client.post("/on-behalf/end", data={})

    assert response.status_code == 403
    assert await audit_events(database, "on_behalf.ended") == []


async def test_when_the_time_is_up_the_next_page_says_so_and_the_end_is_recorded_once(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.reseller_staff.email)
    await open_as(client, world.customer_a.id)
    past = await expire_window(database)

    page = await client.get("/organizations")

    assert page.status_code == 200
    assert banner(page) == (
        f"Your session as Alpha Customer ended at {past.strftime('%H:%M UTC')}. "
        "You are working in Alpha Reseller again."
    )
    assert "Alpha Reseller (Reseller staff)" in Page(page.text).find("span", class_="who").text
    assert banner(await client.get("/organizations")) == ""
    [event] = await audit_events(database, "on_behalf.ended")
    assert event.changes["after"] == {"reason": "timed_out", "ended_at": past.isoformat()}
    assert event.on_behalf_of_label == "Alpha Customer"


async def test_a_form_posted_after_the_time_is_up_is_not_saved_in_ones_own_name(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.reseller_admin.email)
    await open_as(client, world.customer_a.id)
    token = await csrf_token(client)
    await expire_window(database)

    response = await client.post(
        f"/organizations/{world.customer_a.id}/block",
        data={"csrf_token": token, "reason": "posted after the end"},
    )

    assert response.status_code == 409
    assert "nothing was saved" in Page(response.text).by_id("main").text
    assert "Your session as Alpha Customer ended at" in banner(response)
    assert await audit_events(database, "organization.blocked") == []
    # The next page records the end.
    assert "ended at" in banner(await client.get("/organizations"))
    assert len(await audit_events(database, "on_behalf.ended")) == 1


async def test_signing_out_ends_it(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.reseller_admin.email)
    await open_as(client, world.customer_a.id)

    await post_form(client, "/sign-out")

    [ended] = await audit_events(database, "on_behalf.ended")
    assert ended.changes["after"]["reason"] == "signed_out"
    [signed_out] = await audit_events(database, "user.signed_out")
    assert signed_out.organization_id == world.reseller_a.id
    assert signed_out.on_behalf_of_label is None


async def test_switching_organization_ends_it(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.two_organizations.email)
    page = Page((await client.get("/select-organization")).text)
    choices = {b.text: b["value"] for b in page.find_all("button", name="organization_id")}
    token = page.field("csrf_token")["value"]
    form = {"csrf_token": token, "next": "/organizations"}
    await client.post(
        "/select-organization", data=form | {"organization_id": choices["Alpha Reseller"]}
    )
    await open_as(client, world.customer_a.id)
    choosing = await client.get("/select-organization")
    assert banner(choosing).startswith(
        f"{people.two_organizations.full_name} (Alpha Reseller) is acting for Alpha Customer"
    )

    await client.post(
        "/select-organization", data=form | {"organization_id": choices["Beta Customer"]}
    )

    [ended] = await audit_events(database, "on_behalf.ended")
    assert ended.changes["after"]["reason"] == "switched_organization"
    assert banner(await client.get("/organizations")) == ""


async def test_a_password_reset_ends_it_before_the_sessions_go(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.reseller_admin.email)
    await open_as(client, world.customer_a.id)

    async with database.transaction() as session:
        user = await session.get_one(User, people.reseller_admin.id)
        link = await email_tokens.issue(session, user, EmailTokenPurpose.RESET_PASSWORD)
        new = "a brand new passphrase"
        await password_reset.reset(session, link.secret, password=new, confirmation=new)

    [ended] = await audit_events(database, "on_behalf.ended")
    assert ended.changes["after"]["reason"] == "password_reset"
    assert (await client.get("/organizations")).headers["location"].startswith("/sign-in")


async def test_a_customer_blocked_meanwhile_stops_the_session_until_it_is_ended(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.reseller_staff.email)
    await open_as(client, world.customer_a.id)
    blocked = await client.post(
        f"/api/v1/organizations/{world.customer_a.id}/block",
        json={"reason": "unpaid invoices"},
        headers=world.reseller_a.headers,
    )
    assert blocked.status_code == 200, blocked.text

    page = await client.get("/organizations")

    assert page.status_code == 403
    assert "no longer act for Alpha Customer" in Page(page.text).by_id("main").text
    end = Page(page.text).find("form", action="/on-behalf/end")
    assert end
    token = Page(page.text).field("csrf_token")["value"]
    ended = await client.post("/on-behalf/end", data={"csrf_token": token})
    assert ended.headers["location"] == f"/organizations/{world.customer_a.id}?done=on_behalf_ended"
    assert (await client.get(ended.headers["location"])).status_code == 200


async def test_a_session_nobody_came_back_to_is_ended_by_the_periodic_job(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.reseller_admin.email)
    await open_as(client, world.customer_a.id)
    past = await expire_window(database, session_too=True)

    for _ in range(2):
        async with database.transaction() as session:
            await identity_tasks.record_on_behalf_timeouts(session)

    [ended] = await audit_events(database, "on_behalf.ended")
    assert ended.changes["after"] == {"reason": "timed_out", "ended_at": past.isoformat()}
    async with database.transaction(write=False) as session:
        events = (await session.execute(select(AuditEvent.action))).scalars().all()
    assert events.count("on_behalf.ended") == 1
