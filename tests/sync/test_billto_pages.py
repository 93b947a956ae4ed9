"""The organization's page: its Partner Center sync and bill-to sections, taking Partner
Center's values with the checkboxes, and the one-way note beside the profile form."""

from __future__ import annotations

import httpx

from tenantry.db import Database
from tenantry.models import Organization
from tests.factories import World
from tests.sync.test_billto_api import link_account
from tests.web.html import Page


def text_of(response: httpx.Response) -> str:
    """What a person reads: the page's body, or all of a partial."""
    page = Page(response.text)
    return " ".join((page.text or page.elements[0].text).split())


def section(world: World) -> str:
    return f"/organizations/{world.customer_a.id}/sync"


async def test_the_organization_page_loads_the_sections_and_says_bill_to_is_one_way(
    client: httpx.AsyncClient, world: World
) -> None:
    page = await client.get(f"/organizations/{world.customer_a.id}", headers=world.platform.headers)
    assert page.status_code == 200
    assert f'hx-get="{section(world)}"' in page.text
    assert "To change it, update it in Partner Center." in text_of(page)
    as_reseller = await client.get(
        f"/organizations/{world.customer_a.id}", headers=world.reseller_a.headers
    )
    said = text_of(as_reseller)
    assert "are not sent to Microsoft" in said
    assert "ask your distributor to update it in Partner Center" in said
    own = await client.get(
        f"/organizations/{world.customer_a.id}", headers=world.customer_a.headers
    )
    assert section(world) not in own.text  # customers do not see the sync


async def test_differences_are_listed_and_the_ticked_ones_taken(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    await link_account(database, world, city="Aarhus", postalCode="8000", state="")
    headers = world.reseller_a.headers
    partial = await client.get(section(world), headers=headers | {"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.text
    said = text_of(partial)
    assert "Bill-to in Partner Center" in said and "Partner Center sync" in said
    page = Page(partial.text)
    boxes = [b["value"] for b in page.find_all("input", type="checkbox")]
    assert boxes == ["address.city", "address.postal_code"]
    assert "Copenhagen" in said and "Aarhus" in said
    version = page.find_all("input", name="version")[0]["value"]

    taken = await client.post(
        f"/organizations/{world.customer_a.id}/bill-to", headers=headers,
        data={"fields": ["address.city"], "version": version},
    )  # fmt: skip
    assert taken.status_code == 303, taken.text
    shown = await client.get(taken.headers["location"], headers=headers)
    said = text_of(shown)
    assert "Partner Center's values were taken" in said
    assert [b["value"] for b in Page(shown.text).find_all("input", type="checkbox")] == [
        "address.postal_code"
    ]
    assert "Partner Center's bill-to taken" in said and "Copenhagen → Aarhus" in said
    async with database.transaction(write=False) as session:
        customer = await session.get_one(Organization, world.customer_a.id)
        assert customer.address_city == "Aarhus"

    stale = await client.post(
        f"/organizations/{world.customer_a.id}/bill-to", headers=headers,
        data={"fields": ["address.postal_code"], "version": version},
    )  # fmt: skip
    assert stale.status_code == 409
    assert "Someone changed this organization after you opened it" in text_of(stale)
    nothing = await client.post(
        f"/organizations/{world.customer_a.id}/bill-to", headers=headers,
        data={"version": str(int(version) + 1)},
    )  # fmt: skip
    assert nothing.status_code == 400
    assert "Tick the fields whose Partner Center value to take" in text_of(nothing)


async def test_an_incomplete_bill_to_is_flagged_with_what_is_missing(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    await link_account(database, world, addressLine1="", postalCode="")
    said = text_of(await client.get(section(world), headers=world.platform.headers))
    assert "Bill-to incomplete in Partner Center" in said
    assert "Orders to Alpha Customer will fail until its bill-to in Partner Center has: " \
        "address line 1, postal code." in said  # fmt: skip


async def test_a_stranger_gets_no_section(client: httpx.AsyncClient, world: World) -> None:
    assert (await client.get(section(world), headers=world.reseller_b.headers)).status_code == 404
    refused = await client.post(
        f"/organizations/{world.customer_a.id}/bill-to", headers=world.reseller_b.headers,
        data={"fields": ["address.city"], "version": "1"},
    )  # fmt: skip
    assert refused.status_code == 404
