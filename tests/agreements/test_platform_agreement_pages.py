"""The platform's agreements on pages: its admin publishes a version, a customer's admin reads
and accepts it (evidence kept), signs the professional-secrecy agreement, and a reseller marks
its customer. Every form carries the session's CSRF token."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from tenantry.db import Database
from tenantry.models import AcceptanceRoute, AgreementAcceptance, AgreementKind, Organization
from tests.agreements.platform_helpers import SECRECY, missing, publish
from tests.factories import World
from tests.web.conftest import People, csrf_token, post_form, sign_in
from tests.web.html import Page


async def _evidence(database: Database, world: World) -> list[AgreementAcceptance]:
    async with database.transaction() as session:
        rows = await session.scalars(
            select(AgreementAcceptance).where(
                AgreementAcceptance.organization_id == world.customer_a.id
            )
        )
        return list(rows)


async def test_the_platform_admin_publishes_on_a_page(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    await sign_in(client, people.platform_admin.email)
    overview = await client.get("/platform-agreements")
    assert overview.status_code == 200
    assert "No version is published yet" in overview.text
    agreements = await client.get("/agreements/compliance")
    assert 'href="/platform-agreements"' in agreements.text, "reached from the Agreements page"
    form = await client.get("/platform-agreements/platform_terms/publish")
    assert Page(form.text).field("csrf_token")["value"]
    refused = await post_form(client, "/platform-agreements/platform_terms/publish",
                              {"title": "Terms", "body": "", "effective_on": "2020-01-01"})  # fmt: skip
    assert refused.status_code == 422
    assert "Text" in refused.text and "has passed" not in refused.text, "the schema speaks first"
    done = await post_form(client, "/platform-agreements/platform_terms/publish",
                           {"title": "Terms of business", "body": "1. Scope\n\n2. Orders"})  # fmt: skip
    assert done.status_code == 303
    listed = await client.get(done.headers["location"])
    assert "Customers accept version 1" in listed.text
    version = await client.get("/platform-agreements/platform_terms/versions/1")
    assert "<p>2. Orders</p>" in version.text


async def test_staff_without_the_permission_see_no_publish_form(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    await sign_in(client, people.reseller_admin.email)
    assert (await client.get("/platform-agreements/platform_terms/publish")).status_code == 403
    assert (await client.get("/platform-agreements")).status_code == 404


async def test_a_customer_admin_accepts_the_terms(
    client: httpx.AsyncClient, database: Database, world: World, people: People
) -> None:
    await publish(client, world.platform)
    await sign_in(client, people.customer_admin.email)
    page = await client.get("/agreements/platform-terms?next=/cart")
    assert page.status_code == 200 and "Not accepted yet" in page.text
    unticked = await post_form(client, "/agreements/platform-terms", {"version": "1"})
    assert unticked.status_code == 422 and "tick the box" in unticked.text.lower()
    accepted = await post_form(client, "/agreements/platform-terms",
                               {"version": "1", "accept": "yes", "next": "/cart"})  # fmt: skip
    assert accepted.status_code == 303 and accepted.headers["location"] == "/cart"
    again = await post_form(client, "/agreements/platform-terms",
                            {"version": "1", "accept": "yes"})  # fmt: skip
    assert again.status_code == 303
    rows = await _evidence(database, world)
    assert len(rows) == 1, "accepting twice keeps one record"
    row = rows[0]
    assert row.kind is AgreementKind.PLATFORM_TERMS
    assert row.route is AcceptanceRoute.CUSTOMER_IN_PRODUCT
    assert (
        row.recorded_by_id == people.customer_admin.id and row.email == people.customer_admin.email
    )
    assert row.request and row.request["version"] == 1 and row.request["text_sha256"]
    assert "Accepted on" in (await client.get("/agreements/platform-terms")).text


async def test_an_outdated_version_is_not_accepted(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    await publish(client, world.platform)
    await publish(client, world.platform, body="Version two")
    await sign_in(client, people.customer_admin.email)
    stale = await post_form(client, "/agreements/platform-terms", {"version": "1", "accept": "yes"})
    assert stale.status_code == 409 and "version 2" in stale.text


async def test_a_marked_customer_signs_the_secrecy_agreement(
    client: httpx.AsyncClient, database: Database, world: World, people: People
) -> None:
    await publish(client, world.platform, SECRECY, title="Professional secrecy")
    await sign_in(client, people.reseller_admin.email)
    page = await client.get(f"/organizations/{world.customer_a.id}/platform-agreements")
    assert page.status_code == 200 and "Mark as needing" in page.text
    marked = await post_form(
        client, f"/organizations/{world.customer_a.id}/platform-agreements/professional-secrecy",
        {"required": "true"},
    )  # fmt: skip
    assert marked.status_code == 303
    async with database.transaction() as session:
        assert (
            await session.get_one(Organization, world.customer_a.id)
        ).requires_professional_secrecy
    assert await missing(database, world.customer_a) == ["microsoft_customer_agreement_missing",
                                                         "professional_secrecy_missing"]  # fmt: skip
    client.cookies.clear()
    await sign_in(client, people.customer_admin.email)
    form = await client.get("/agreements/professional-secrecy")
    assert 'name="first_name"' in form.text and await csrf_token(
        client, "/agreements/professional-secrecy"
    )
    bad = await post_form(client, "/agreements/professional-secrecy",
                          {"version": "1", "accept": "yes", "first_name": "4nna",
                           "last_name": "Hansen"})  # fmt: skip
    assert bad.status_code == 422 and "not a person" in bad.text
    signed = await post_form(client, "/agreements/professional-secrecy",
                             {"version": "1", "accept": "yes", "first_name": "Anna",
                              "last_name": "Hansen", "position": "Managing partner"})  # fmt: skip
    assert signed.status_code == 303
    (row,) = await _evidence(database, world)
    assert (row.first_name, row.last_name) == ("Anna", "Hansen")
    assert row.request and row.request["signatory"]["position"] == "Managing partner"
    assert await missing(database, world.customer_a) == ["microsoft_customer_agreement_missing"]


async def test_an_unmarked_customer_has_nothing_to_sign(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    await publish(client, world.platform, SECRECY, title="Professional secrecy")
    await sign_in(client, people.customer_admin.email)
    page = await client.get("/agreements/professional-secrecy")
    assert "does not need to accept it" in page.text and 'name="accept"' not in page.text
