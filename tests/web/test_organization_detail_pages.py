"""An organization's page: status buttons per the rules, edit forms, stale edits, CSRF."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from tenantry.db import Database
from tenantry.models import AuditEvent, Organization, OrganizationStatus
from tests.factories import World, make_organization
from tests.web.conftest import People, csrf_token, post_form, sign_in
from tests.web.html import Page
from tests.web.pages import field_error


async def pending_customer(database: Database, world: World) -> str:
    async with database.transaction() as session:
        organization = await make_organization(
            session, world.platform.organization, parent=world.reseller_a.organization,
            legal_name="Pending Customer", status=OrganizationStatus.PENDING_APPROVAL,
        )  # fmt: skip
        return str(organization.id)


def buttons(page: Page) -> list[str]:
    return [
        b.text
        for b in page.find_all("button")
        if b.text in {"Approve", "Reject", "Block", "Unblock"}
    ]


async def status_of(database: Database, organization_id: str) -> tuple[str, str | None]:
    async with database.transaction() as session:
        row = (
            await session.execute(
                select(Organization.status, Organization.status_reason).where(
                    Organization.id == uuid.UUID(organization_id)
                )
            )
        ).one()
    return str(row[0]), row[1]


async def test_approve_block_and_unblock(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    organization_id = await pending_customer(database, world)
    page_url = f"/organizations/{organization_id}"
    await sign_in(client, people.reseller_admin.email)
    assert buttons(Page((await client.get(page_url)).text)) == ["Approve", "Reject"]

    approved = await post_form(client, f"{page_url}/approve")
    assert approved.status_code == 303
    assert approved.headers["location"] == f"{page_url}?done=approve"
    page = Page((await client.get(approved.headers["location"])).text)
    assert page.find("div", role="status").text == "The organization is approved."
    assert buttons(page) == ["Block"]

    no_reason = await post_form(client, f"{page_url}/block", {"reason": ""})
    assert no_reason.status_code == 422
    assert field_error(Page(no_reason.text), "reason", prefix="block-") == (
        "This field is required."
    )
    assert await status_of(database, organization_id) == ("active", None)

    blocked = await post_form(client, f"{page_url}/block", {"reason": "Unpaid invoices"})
    assert blocked.status_code == 303
    page = Page((await client.get(page_url)).text)
    assert "Blocked" in page.find("span", class_="badge badge-blocked").text
    assert "Unpaid invoices" in page.text
    assert buttons(page) == ["Unblock"]
    assert await status_of(database, organization_id) == ("blocked", "Unpaid invoices")

    assert (await post_form(client, f"{page_url}/unblock")).status_code == 303
    assert await status_of(database, organization_id) == ("active", None)
    async with database.transaction() as session:
        actions = (
            (
                await session.execute(
                    select(AuditEvent.action)
                    .where(AuditEvent.target_id == organization_id)
                    .order_by(AuditEvent.occurred_at)
                )
            )
            .scalars()
            .all()
        )
    assert actions == ["organization.approve", "organization.block", "organization.unblock"]


async def test_reject_needs_a_reason(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    organization_id = await pending_customer(database, world)
    await sign_in(client, people.platform_admin.email)
    response = await post_form(client, f"/organizations/{organization_id}/reject", {"reason": "x"})
    assert response.status_code == 422
    assert "at least 3 characters" in field_error(Page(response.text), "reason", prefix="reject-")
    assert (await status_of(database, organization_id))[0] == "pending_approval"


async def test_a_change_someone_else_made_first_is_reported_not_repeated(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    organization_id = await pending_customer(database, world)
    await sign_in(client, people.reseller_admin.email)
    token = await csrf_token(client)
    await client.post(
        f"/api/v1/organizations/{organization_id}/reject",
        json={"reason": "Duplicate"},
        headers=world.platform.headers,
    )
    response = await client.post(
        f"/organizations/{organization_id}/block",
        data={"csrf_token": token, "reason": "Fraud suspected"},
    )
    assert response.status_code == 409
    assert (
        "cannot block an organization that is rejected"
        in Page(response.text).find("div", role="alert").text.lower()
    )


async def test_writes_without_the_csrf_token_are_refused(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    organization_id = await pending_customer(database, world)
    await sign_in(client, people.reseller_admin.email)
    for data in ({}, {"csrf_token": "not-the-token"}):
        response = await client.post(f"/organizations/{organization_id}/approve", data=data)
        assert response.status_code == 403
        assert "CSRF token" in Page(response.text).find("p", role="alert").text
    response = await client.post("/organizations/new", data={"legal_name": "Sneaky ApS"})
    assert response.status_code == 403
    assert (await status_of(database, organization_id))[0] == "pending_approval"


def profile_form(page: Page) -> dict[str, str]:
    """The profile form as it was rendered (the values a person would submit unchanged)."""
    names = [
        "version", "display_name", "domain", "address.line1", "address.line2", "address.city",
        "address.region", "address.postal_code", "primary_contact.name", "primary_contact.email",
        "primary_contact.phone",
    ]  # fmt: skip
    values = {name: page.field(name).get("value") or "" for name in names}
    values["address.country"] = page.selected("address.country")
    values["preferred_currency"] = page.selected("preferred_currency")
    return values


async def test_profile_edit_is_saved(
    client: httpx.AsyncClient, people: People, world: World
) -> None:
    await sign_in(client, people.customer_admin.email)
    url = f"/organizations/{world.customer_a.id}"
    page = Page((await client.get(url)).text)
    assert page.field("version")["value"] == "1"
    form = profile_form(page) | {"display_name": "Alpha Renamed", "domain": "alpha.example"}
    response = await post_form(client, f"{url}/profile", form)
    assert response.status_code == 303, response.text
    page = Page((await client.get(response.headers["location"])).text)
    assert page.find("h1").text == "Alpha Renamed"
    assert page.field("domain")["value"] == "alpha.example"
    assert page.field("version")["value"] == "2"


async def test_invalid_profile_edit_keeps_what_was_typed(
    client: httpx.AsyncClient, people: People, world: World
) -> None:
    await sign_in(client, people.customer_admin.email)
    url = f"/organizations/{world.customer_a.id}"
    form = profile_form(Page((await client.get(url)).text))
    response = await post_form(
        client,
        f"{url}/profile",
        form | {"address.postal_code": "99", "address.city": "", "display_name": "Typed"},
    )
    assert response.status_code == 422
    page = Page(response.text)
    # An emptied field and a postal code that does not fit the country, named together.
    assert field_error(page, "address.city") == "This field is required."
    assert field_error(page, "address.postal_code") == "'99' is not a postal code of DK."
    assert page.field("display_name")["value"] == "Typed"
    assert page.field("version")["value"] == "1"


async def test_an_emptied_required_profile_field_is_named_beside_it(
    client: httpx.AsyncClient, people: People, world: World
) -> None:
    await sign_in(client, people.customer_admin.email)
    url = f"/organizations/{world.customer_a.id}"
    form = profile_form(Page((await client.get(url)).text))
    response = await post_form(client, f"{url}/profile", form | {"display_name": ""})
    assert response.status_code == 422
    assert field_error(Page(response.text), "display_name") == "This field is required."


async def test_a_stale_edit_is_detected_not_lost(
    client: httpx.AsyncClient, people: People, world: World
) -> None:
    await sign_in(client, people.customer_admin.email)
    url = f"/organizations/{world.customer_a.id}"
    form = profile_form(Page((await client.get(url)).text))  # read at version 1
    changed = await client.patch(
        f"/api/v1/organizations/{world.customer_a.id}",
        json={"display_name": "Changed Elsewhere"},
        headers=world.reseller_a.headers | {"If-Match": '"1"'},
    )
    assert changed.status_code == 200
    response = await post_form(client, f"{url}/profile", form | {"display_name": "My Edit"})
    assert response.status_code == 409
    page = Page(response.text)
    assert "Someone else saved changes" in page.find("div", role="alert").text
    assert page.field("display_name")["value"] == "Changed Elsewhere"
    assert page.field("version")["value"] == "2"
    stored = await client.get(
        f"/api/v1/organizations/{world.customer_a.id}", headers=world.reseller_a.headers
    )
    assert stored.json()["display_name"] == "Changed Elsewhere"


async def test_basic_details_only_with_the_sellers_rights(
    client: httpx.AsyncClient, people: People, world: World
) -> None:
    url = f"/organizations/{world.customer_a.id}"
    await sign_in(client, people.customer_admin.email)
    own = Page((await client.get(url)).text)
    assert own.find_all("form", action=f"{url}/profile")
    assert not own.find_all("form", action=f"{url}/basic")
    assert buttons(own) == []
    refused = await post_form(client, f"{url}/basic", {"version": "1", "legal_name": "Mine"})
    assert refused.status_code == 403
    assert "needs the seller's rights" in Page(refused.text).find("div", role="alert").text

    client.cookies.clear()
    await sign_in(client, people.reseller_admin.email)
    page = Page((await client.get(url)).text)
    form = {"version": page.field("version")["value"], "legal_name": "Alpha Customer A/S",
            "erp_id": "ERP-1001"}  # fmt: skip
    saved = await post_form(client, f"{url}/basic", form)
    assert saved.status_code == 303, saved.text
    page = Page((await client.get(url)).text)
    assert page.field("erp_id")["value"] == "ERP-1001"
    assert page.field("legal_name")["value"] == "Alpha Customer A/S"


async def test_a_sellers_page_gives_the_storefront_link_for_new_customers(
    client: httpx.AsyncClient, people: People, world: World
) -> None:
    await sign_in(client, people.reseller_admin.email)
    own = Page((await client.get(f"/organizations/{world.reseller_a.id}")).text)
    link = f"http://127.0.0.1:8000/store/{world.reseller_a.id}"
    assert own.find_all("a", href=link)
    customer = Page((await client.get(f"/organizations/{world.customer_a.id}")).text)
    assert "Storefront" not in customer.by_id("main").text
