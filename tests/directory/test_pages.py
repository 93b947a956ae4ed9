"""The customer's users and licenses on pages: the section on its organization's page, the
page of its own with filters, assigning and removing a license with the refusal said naming the
user, "Import now", and another's customer answering 404."""

from __future__ import annotations

import re

import httpx

from tenantry.db import Database
from tests.factories import World
from tests.web.html import Page

from .conftest import BASIC, Tenant, imported


def text_of(response: httpx.Response) -> str:
    return " ".join(Page(response.text).text.split())


async def test_the_users_page_shows_licenses_by_source_and_assigns_ours(
    client: httpx.AsyncClient, database: Database, world: World, tenant: Tenant
) -> None:
    staff, customer = world.reseller_a.headers, world.customer_a.id
    detail = await client.get(f"/organizations/{customer}", headers=staff)
    assert f'hx-get="/organizations/{customer}/directory"' in detail.text
    before = await client.get(f"/organizations/{customer}/directory", headers=staff)
    assert "Nothing was imported from Alpha Customer's tenant yet" in text_of(before)

    asked = await client.post(f"/organizations/{customer}/directory/import", headers=staff)
    assert asked.status_code == 303 and asked.headers["location"].endswith("?done=import")
    queued = text_of(await client.get(asked.headers["location"], headers=staff))
    assert "The import is queued" in queued and "An import is queued" in queued
    await imported(database, customer)  # joins the queued import and runs it

    page = await client.get(f"/organizations/{customer}/directory", headers=staff)
    said = text_of(page)
    assert page.status_code == 200
    assert "5 users added" in said and "Import now" in said
    assert "Microsoft 365 Business Basic Bought here 3 0 3 0" in said
    assert "Power BI Pro Another provider 0 2 1 1" in said
    assert "another provider" in said and tenant.domain in said and "(initial domain)" in said
    partial = await client.get(
        f"/organizations/{customer}/directory", headers=staff | {"HX-Request": "true"}
    )
    assert "<html" not in partial.text and "Last import" in partial.text

    only_other = text_of(
        await client.get(
            f"/organizations/{customer}/directory?holding=other_provider", headers=staff
        )
    )
    people = [u["displayName"] for u in await tenant.users()]
    assert people[3] in only_other and people[0] not in only_other

    forms = re.findall(
        r'action="(/directory-users/[0-9a-f-]+/licenses)"[^<]*>[\s\S]*?name="action" value="(\w+)"',
        page.text,
    )
    free_user = next(action for action, kind in forms if kind == "assign")
    holder = next(action for action, kind in forms if kind == "remove")
    back = f"/organizations/{customer}/directory"
    refused = await client.post(
        free_user, data={"action": "assign", "sku_id": BASIC, "back": back},
        headers=world.customer_a.headers,
    )  # fmt: skip
    assert refused.status_code == 409
    assert "No Microsoft 365 Business Basic license is left for" in text_of(refused)

    removed = await client.post(
        holder, data={"action": "remove", "sku_id": BASIC, "back": back},
        headers=world.customer_a.headers,
    )  # fmt: skip
    assert removed.status_code == 303
    shown = text_of(await client.get(removed.headers["location"], headers=staff))
    assert "Microsoft 365 Business Basic removed from" in shown and "in Microsoft 365." in shown

    stranger = await client.get(
        f"/organizations/{customer}/directory", headers=world.customer_b.headers
    )
    assert stranger.status_code == 404
    assert "reach Microsoft" not in said and "sent to Microsoft" not in said
