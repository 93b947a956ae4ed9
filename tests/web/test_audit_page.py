"""The audit log page: scoped to what the person may see, filtered, paged."""

from __future__ import annotations

import httpx
import pytest

from tenantry.audit import pages as audit_pages
from tenantry.db import Database
from tenantry.models import Role
from tests.factories import World
from tests.web.conftest import People, person, sign_in
from tests.web.html import Page
from tests.web.pages import field_error


def actions(page: Page) -> list[str]:
    return [e.text for e in page.find_all("code")]


async def block(
    client: httpx.AsyncClient, party_headers: dict[str, str], organization_id: object
) -> None:
    response = await client.post(
        f"/api/v1/organizations/{organization_id}/block",
        json={"reason": "Unpaid invoices"},
        headers=party_headers,
    )
    assert response.status_code == 200, response.text


async def test_a_reseller_sees_only_events_of_its_own_organizations(
    client: httpx.AsyncClient, people: People, world: World
) -> None:
    await block(client, world.reseller_a.headers, world.customer_a.id)
    await block(client, world.reseller_b.headers, world.customer_b.id)
    await sign_in(client, people.reseller_admin.email)
    page = Page((await client.get("/audit?action=organization.block")).text)
    rows = page.find_all("tr")[1:]
    assert len([r for r in rows if "organization.block" in r.text]) == 1
    assert "Alpha Customer" in page.find("tbody").text
    assert "Beta Customer" not in page.text
    assert "Unpaid invoices" in page.text  # the change, before and after

    # Asking for another reseller's organization shows nothing of it.
    other = Page((await client.get(f"/audit?organization={world.customer_b.id}")).text)
    assert "organization.block" not in actions(other)
    assert "No events match these filters." in other.text


async def test_platform_staff_see_the_whole_platform(
    client: httpx.AsyncClient, people: People, world: World
) -> None:
    await block(client, world.reseller_a.headers, world.customer_a.id)
    await block(client, world.reseller_b.headers, world.customer_b.id)
    await sign_in(client, people.platform_admin.email)
    page = Page((await client.get("/audit?action=organization.block")).text)
    assert actions(page) == ["organization.block", "organization.block"]
    one = Page((await client.get(f"/audit?organization={world.customer_b.id}")).text)
    assert one.find("h1").text == "Audit log: Beta Customer"
    assert actions(one)[0] == "organization.block"  # newest first
    assert set(actions(one)) == {"organization.block", "membership.added", "api_token.issued"}


async def test_filters_are_checked_and_kept(client: httpx.AsyncClient, people: People) -> None:
    await sign_in(client, people.platform_admin.email)
    response = await client.get("/audit?since=yesterday&actor=Person")
    assert response.status_code == 422
    page = Page(response.text)
    assert field_error(page, "since") == "Enter a date as YYYY-MM-DD."
    assert page.field("actor")["value"] == "Person"
    ok = Page((await client.get("/audit?since=2000-01-01&until=2999-12-31&actor=Person")).text)
    assert "user.signed_in" in actions(ok)  # the sign-in just made


async def test_audit_log_is_paged(
    client: httpx.AsyncClient, people: People, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        patched = await client.patch(
            f"/api/v1/organizations/{world.customer_a.id}",
            json={"display_name": f"Name {n}"},
            headers=world.platform.headers,
        )
        assert patched.status_code == 200
    await sign_in(client, people.platform_admin.email)
    monkeypatch.setattr(audit_pages, "PAGE_SIZE", 2)
    first = Page((await client.get("/audit?action=organization.updated")).text)
    assert len(actions(first)) == 2
    second = Page((await client.get(first.find("a", rel="next")["href"])).text)
    assert len(actions(second)) == 1
    assert second.find("a", href="/audit?action=organization.updated").text == "First page"


async def test_people_without_the_audit_right_are_refused(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    async with database.transaction() as session:
        user = await person(session, world.customer_a.organization, Role.CUSTOMER_USER)
    await sign_in(client, user.email)
    response = await client.get("/audit")
    assert response.status_code == 403
    page = Page((await client.get("/organizations")).text)
    assert not page.find_all("a", href="/audit")
