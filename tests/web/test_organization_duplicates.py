"""The create page warns of an organization the platform may have already, names it where the
person may see it, keeps what they typed, and creates only once they confirm those matches."""

from __future__ import annotations

from typing import TypedDict, Unpack

import httpx
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.models import Organization
from tests.factories import World, make_organization
from tests.web.conftest import People, post_form, sign_in
from tests.web.html import Page
from tests.web.pages import customer_form, field_error

FABRIKAM = {"domain": "fabrikam.example", "registration_number": "13585628"}


async def count_named(database: Database, legal_name: str) -> int:
    async with database.transaction() as session:
        found = await session.scalar(
            select(func.count()).where(Organization.legal_name == legal_name)
        )
        return int(found or 0)


class Identifiers(TypedDict, total=False):
    domain: str
    vat_id: str


async def existing(database: Database, world: World, **fields: Unpack[Identifiers]) -> Organization:
    async with database.transaction() as session:
        platform = await session.get_one(Organization, world.platform.id)
        reseller = await session.get_one(Organization, world.reseller_a.id)
        return await make_organization(
            session, platform, parent=reseller, legal_name="Fabrikam Holding", **fields
        )


async def test_a_duplicate_is_named_and_linked_and_created_only_when_confirmed(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    holding = await existing(database, world, domain="fabrikam.example", vat_id="DK13585628")
    await sign_in(client, people.reseller_admin.email)
    form = customer_form(approve="false", **FABRIKAM)
    warned = await post_form(client, "/organizations/new", form)
    assert warned.status_code == 409
    page = Page(warned.text)
    warning = page.find("div", class_="warning").text
    assert page.by_id("duplicate-title").text == "This organization may exist already"
    assert "The domain fabrikam.example belongs to Fabrikam Holding (active)." in warning
    assert page.find("a", href=f"/organizations/{holding.id}").text == "Fabrikam Holding"
    assert "belongs to Fabrikam Holding" in field_error(page, "vat_id")
    # Everything typed is kept, and the buttons say what they do now.
    assert page.field("legal_name")["value"] == "Fabrikam ApS"
    assert page.field("registration_number")["value"] == "13585628"
    assert "Create anyway" in [b.text for b in page.find_all("button")]
    assert await count_named(database, "Fabrikam ApS") == 0

    confirm = page.field("confirm_duplicate")["value"]
    created = await post_form(client, "/organizations/new", form | {"confirm_duplicate": confirm})
    assert created.status_code == 303, created.text
    assert await count_named(database, "Fabrikam ApS") == 1


async def test_a_confirmation_covers_only_the_matches_it_was_shown(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await existing(database, world, domain="fabrikam.example")
    await sign_in(client, people.reseller_admin.email)
    warned = await post_form(client, "/organizations/new", customer_form(domain="fabrikam.example"))
    confirm = Page(warned.text).field("confirm_duplicate")["value"]
    # The person changes the VAT ID to one that matches someone else, and confirms.
    await existing(database, world, vat_id="DK25063864")
    form = customer_form(domain="fabrikam.example", vat_id="DK25063864")
    again = await post_form(client, "/organizations/new", form | {"confirm_duplicate": confirm})
    assert again.status_code == 409
    assert await count_named(database, "Fabrikam ApS") == 0


async def test_a_match_outside_the_resellers_scope_is_not_named(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    async with database.transaction() as session:
        platform = await session.get_one(Organization, world.platform.id)
        reseller_b = await session.get_one(Organization, world.reseller_b.id)
        theirs = await make_organization(
            session, platform, parent=reseller_b, legal_name="Beta Fabrikam",
            domain="fabrikam.example",
        )  # fmt: skip
    await sign_in(client, people.reseller_admin.email)
    warned = await post_form(client, "/organizations/new", customer_form(domain="fabrikam.example"))
    assert warned.status_code == 409
    warning = Page(warned.text).find("div", class_="warning").text
    assert "An organization with this domain already exists on the platform." in warning
    assert "Beta Fabrikam" not in warned.text and str(theirs.id) not in warned.text
