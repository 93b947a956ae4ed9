"""The organization pages: the list and its filters, and creating an organization."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.models import Organization
from tests.factories import World, make_organization
from tests.web.conftest import People, post_form, sign_in
from tests.web.html import Page
from tests.web.pages import customer_form, field_error, listed, location_id

EVERYONE = {
    "Alpha Customer", "Alpha Reseller", "Beta Customer", "Beta Reseller", "Blocked Customer",
    "Direct Customer", "Northwind Distribution A/S",
}  # fmt: skip


async def test_list_shows_what_the_platform_sees_with_status_in_words(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.platform_admin.email)
    page = Page((await client.get("/organizations")).text)
    assert set(listed(page)) == EVERYONE
    badges = {b.text for b in page.find_all("span") if "badge" in (b.get("class") or "")}
    assert {"● Active", "■ Blocked"} <= badges
    # Every filter has a label.
    for name in ("q", "status", "kind", "reseller"):
        assert page.find("label", for_=page.field(name)["id"])


async def test_filters_narrow_the_list(
    client: httpx.AsyncClient, people: People, world: World
) -> None:
    await sign_in(client, people.platform_admin.email)

    async def shown(query: str) -> set[str]:
        response = await client.get(f"/organizations?{query}")
        assert response.status_code == 200, response.text
        return set(listed(Page(response.text)))

    assert await shown("status=blocked") == {"Blocked Customer"}
    assert await shown("kind=reseller") == {"Alpha Reseller", "Beta Reseller"}
    assert await shown("q=alpha") == {"Alpha Reseller", "Alpha Customer"}
    assert await shown(f"reseller={world.reseller_a.id}") == {"Alpha Customer", "Blocked Customer"}
    assert await shown(f"reseller={world.reseller_a.id}&status=active") == {"Alpha Customer"}
    # The form shows the filters in force.
    page = Page((await client.get("/organizations?status=blocked&q=cust")).text)
    assert page.selected("status") == "blocked"
    assert page.field("q")["value"] == "cust"


async def test_segment_filter(client: httpx.AsyncClient, people: People, world: World) -> None:
    segment = await client.post(
        "/api/v1/segments", json={"name": "Education"}, headers=world.platform.headers
    )
    patched = await client.patch(
        f"/api/v1/organizations/{world.customer_a.id}",
        json={"segment_ids": [segment.json()["id"]]},
        headers=world.platform.headers | {"If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    await sign_in(client, people.platform_admin.email)
    page = Page((await client.get(f"/organizations?segment={segment.json()['id']}")).text)
    assert listed(page) == ["Alpha Customer"]


async def test_a_bad_filter_is_shown_beside_its_field(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.platform_admin.email)
    response = await client.get("/organizations?reseller=not-an-id")
    assert response.status_code == 422
    assert field_error(Page(response.text), "reseller") == "This is not a valid ID."


async def test_live_filtering_answers_only_the_results(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.platform_admin.email)
    response = await client.get("/organizations?kind=reseller", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "<form" not in response.text
    assert set(listed(Page(response.text))) == {"Alpha Reseller", "Beta Reseller"}
    # The full page wires the filter form to htmx and keeps working without it.
    form = Page((await client.get("/organizations")).text).find("form", role="search")
    assert form["method"] == "get"
    assert form["action"] == "/organizations"
    assert form["hx-get"] == "/organizations"
    assert form["hx-target"] == "#results"


async def test_next_page_link_keeps_the_filters(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    async with database.transaction() as session:
        for n in range(30):
            await make_organization(
                session, world.platform.organization, parent=world.reseller_a.organization,
                legal_name=f"Paged Customer {n:02d}",
            )  # fmt: skip
    await sign_in(client, people.platform_admin.email)
    first = Page((await client.get("/organizations?q=paged")).text)
    assert listed(first) == [f"Paged Customer {n:02d}" for n in range(25)]
    next_link = first.find("a", rel="next")["href"]
    assert "q=paged" in next_link
    second = Page((await client.get(next_link)).text)
    assert listed(second) == [f"Paged Customer {n:02d}" for n in range(25, 30)]
    assert not second.find_all("a", rel="next")
    assert second.find("a", href="/organizations?q=paged").text == "First page"


async def test_a_reseller_sees_itself_and_its_customers_only(
    client: httpx.AsyncClient, people: People, world: World
) -> None:
    await sign_in(client, people.reseller_admin.email)
    page = Page((await client.get("/organizations")).text)
    assert set(listed(page)) == {"Alpha Reseller", "Alpha Customer", "Blocked Customer"}
    other = await client.get(f"/organizations/{world.customer_b.id}")
    assert other.status_code == 404
    assert "Not found" in Page(other.text).find("h1").text


async def test_create_with_a_wrong_field_shows_it_beside_the_field_and_keeps_the_values(
    client: httpx.AsyncClient, people: People, database: Database
) -> None:
    await sign_in(client, people.platform_admin.email)
    response = await post_form(
        client, "/organizations/new", customer_form(**{"address.postal_code": "ABC"})
    )
    assert response.status_code == 422
    page = Page(response.text)
    assert field_error(page, "address.postal_code") == "'ABC' is not a postal code of DK."
    assert page.field("address.postal_code")["value"] == "ABC"
    assert page.field("legal_name")["value"] == "Fabrikam ApS"
    assert page.field("primary_contact.email")["value"] == "ada@example.com"
    assert page.selected("address.country") == "DK"
    # The summary at the top links to the field.
    summary = page.find("div", role="alert")
    assert "Postal code: 'ABC' is not a postal code of DK." in summary.text
    assert page.find("a", href="#f-address-postal_code")
    async with database.transaction() as session:
        created = await session.scalar(
            select(func.count()).where(Organization.legal_name == "Fabrikam ApS")
        )
    assert created == 0


async def test_required_fields_left_empty_are_named(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.platform_admin.email)
    form = customer_form(
        legal_name="", **{"primary_contact.name": "", "primary_contact.email": "not-an-email"}
    )
    response = await post_form(client, "/organizations/new", form)
    assert response.status_code == 422
    page = Page(response.text)
    assert field_error(page, "legal_name") == "This field is required."
    assert field_error(page, "primary_contact.name") == "This field is required."
    assert "not a valid email address" in field_error(page, "primary_contact.email")
    summary = page.find("div", role="alert").text
    assert "Contact name: This field is required." in summary


async def test_create_leaves_the_organization_pending(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.reseller_admin.email)
    response = await post_form(client, "/organizations/new", customer_form(approve="false"))
    assert response.status_code == 303
    assert response.headers["location"].endswith("?done=created")
    page = Page((await client.get(response.headers["location"])).text)
    assert page.find("h1").text == "Fabrikam ApS"
    assert "Pending approval" in page.find("span", class_="badge badge-pending_approval").text
    assert "pending approval" in page.find("div", role="status").text
    # A reseller's customer belongs to that reseller.
    seller = next(e for e in page.find_all("dd") if e.text == "Alpha Reseller")
    assert seller
    assert location_id(response) in response.headers["location"]


async def test_create_and_approve_only_for_those_who_may_approve(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.reseller_admin.email)
    admin_form = Page((await client.get("/organizations/new")).text)
    assert [b.text for b in admin_form.find_all("button", name="approve")] == [
        "Create", "Create and approve",
    ]  # fmt: skip
    approved = await post_form(client, "/organizations/new", customer_form(approve="true"))
    assert approved.headers["location"].endswith("?done=created_and_approved")
    page = Page((await client.get(approved.headers["location"])).text)
    assert page.find_all("span", class_="badge badge-active")

    client.cookies.clear()
    await sign_in(client, people.reseller_staff.email)
    staff_form = Page((await client.get("/organizations/new")).text)
    assert [b.text for b in staff_form.find_all("button", name="approve")] == ["Create"]
    refused = await post_form(
        client, "/organizations/new", customer_form(legal_name="Other ApS", approve="true")
    )
    assert refused.status_code == 403
    assert "may not do this" in Page(refused.text).find("div", role="alert").text


async def test_only_the_platform_is_offered_resellers(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.platform_admin.email)
    page = Page((await client.get("/organizations/new")).text)
    assert page.field("kind")["name"] == "kind"
    assert page.field("parent_id")
    client.cookies.clear()
    await sign_in(client, people.reseller_admin.email)
    page = Page((await client.get("/organizations/new")).text)
    assert page.field("kind")["type"] == "hidden"
    assert not [e for e in page.elements if e.get("name") == "parent_id"]


async def test_a_customer_admin_cannot_open_the_create_form(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.customer_admin.email)
    response = await client.get("/organizations/new")
    assert response.status_code == 403
    assert "may not do this" in Page(response.text).find("p", role="alert").text
    listing = Page((await client.get("/organizations")).text)
    assert not listing.find_all("a", href="/organizations/new")


async def test_every_field_on_every_page_has_a_label(
    client: httpx.AsyncClient, people: People, world: World
) -> None:
    await sign_in(client, people.platform_admin.email)
    for path in (
        "/organizations",
        "/organizations/new",
        f"/organizations/{world.reseller_a.id}",
        "/audit",
    ):
        page = Page((await client.get(path)).text)
        labelled = {label.get("for") for label in page.find_all("label")}
        fields = [
            e
            for e in page.elements
            if e.tag in {"input", "select", "textarea"} and e.get("type") != "hidden"
        ]
        assert fields, path
        for field in fields:
            assert field.get("id") in labelled, f"{path}: {field.attrs} has no label"
        # Every form that changes something carries the session's CSRF token.
        posts = page.find_all("form", method="post")
        assert len(posts) == len(page.find_all("input", name="csrf_token")), path
