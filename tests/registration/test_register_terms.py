"""The platform's terms of business at registration: a box to tick when the platform publishes
terms, named when left unticked, and the acceptance kept as evidence of the new organization."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from tenantry.agreements.platform import versions
from tenantry.agreements.platform.schemas import PlatformAgreement, VersionCreate
from tenantry.db import Database
from tenantry.models import AcceptanceRoute, AgreementAcceptance, AgreementKind
from tests.factories import World
from tests.registration.conftest import register_organization, registered, sign_up, text_of


async def _publish_terms(database: Database, world: World) -> None:
    async with database.transaction() as session:
        data = VersionCreate(title="Northwind terms", body="1. Scope\nEvery order.")
        await versions.publish(
            session, world.platform.actor, PlatformAgreement.PLATFORM_TERMS, data
        )


async def test_without_published_terms_there_is_no_box(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_up(client)
    page = await client.get("/register/organization")
    assert 'name="accept_terms"' not in page.text


async def test_the_terms_box_is_required_and_the_acceptance_kept(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await _publish_terms(database, world)
    await sign_up(client)
    page = await client.get("/register/organization")
    assert 'name="accept_terms"' in page.text and 'href="/terms-of-business"' in page.text
    terms = await client.get("/terms-of-business")
    assert terms.status_code == 200 and "Every order." in terms.text

    refused = await register_organization(client, legal_name="")
    assert refused.status_code == 422
    shown = text_of(refused)
    assert "Terms of business: Tick the box to accept the terms of business." in shown
    assert "Legal name" in shown, "reported with the other fields"
    assert await registered(database) is None

    accepted = await register_organization(client, accept_terms="yes")
    assert accepted.status_code == 303, text_of(accepted)
    organization = await registered(database)
    assert organization is not None
    async with database.transaction() as session:
        (row,) = await session.scalars(
            select(AgreementAcceptance).where(
                AgreementAcceptance.organization_id == organization.id
            )
        )
    assert row.kind is AgreementKind.PLATFORM_TERMS
    assert row.route is AcceptanceRoute.CUSTOMER_IN_PRODUCT
    assert row.email == "erin@fabrikam.example" and row.request and row.request["version"] == 1


async def test_unticked_alone_is_refused_naming_the_field(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await _publish_terms(database, world)
    await sign_up(client)
    refused = await register_organization(client)
    assert refused.status_code == 422
    assert 'href="#f-accept_terms"' in refused.text
    assert await registered(database) is None
