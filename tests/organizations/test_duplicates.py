"""Creating an organization the platform may have already: 409 possible_duplicate listing the
matches, as much as the caller's scope allows, until the request confirms it."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.models import AuditEvent, Organization
from tests.factories import World, address, organization_payload

URL = "/api/v1/organizations"
TAKEN = {"domain": "fabrikam.example", "registration_number": "13585628", "vat_id": "DK13585628"}


async def count_named(database: Database, legal_name: str) -> int:
    async with database.transaction() as session:
        found = await session.scalar(
            select(func.count()).where(Organization.legal_name == legal_name)
        )
        return int(found or 0)


async def create(client: httpx.AsyncClient, party: Any, **fields: Any) -> httpx.Response:
    return await client.post(URL, json=organization_payload(**fields), headers=party.headers)


async def test_each_sign_of_a_duplicate_is_answered_409_naming_the_organization(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    first = await create(client, world.platform, legal_name="Fabrikam ApS", **TAKEN)
    assert first.status_code == 201, first.text
    existing = first.json()["id"]
    attempts = {
        "domain": {"domain": "FABRIKAM.example"},
        "registration_number": {"registration_number": "1358-5628"},
        "vat_id": {"vat_id": "13 58 56 28"},
    }
    for field, fields in attempts.items():
        response = await create(client, world.platform, legal_name="Fabrikam Again", **fields)
        assert response.status_code == 409, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["code"] == "possible_duplicate"
        assert [
            (m["field"], m["organization_id"], m["display_name"]) for m in problem["matches"]
        ] == [(field, existing, "Fabrikam ApS")]
        assert [(e["field"], e["rule"]) for e in problem["errors"]] == [
            (field, "possible_duplicate")
        ]
        assert "Fabrikam ApS" in problem["errors"][0]["message"]
    assert await count_named(database, "Fabrikam Again") == 0


async def test_the_same_registration_number_in_another_country_is_no_duplicate(
    client: httpx.AsyncClient, world: World
) -> None:
    assert (await create(client, world.platform, **TAKEN)).status_code == 201
    elsewhere = await create(
        client, world.platform, registration_number="13585628", vat_id=None,
        address=address(country="DE", postal_code="10115", city="Berlin"),
    )  # fmt: skip
    assert elsewhere.status_code == 201, elsewhere.text


async def test_a_confirmed_duplicate_is_created_and_audited_with_its_matches(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    first = await create(client, world.platform, legal_name="Fabrikam ApS", **TAKEN)
    again = await create(
        client, world.platform, legal_name="Fabrikam Again", confirm_duplicate=True, **TAKEN
    )
    assert again.status_code == 201, again.text
    async with database.transaction() as session:
        event = (
            await session.execute(
                select(AuditEvent).where(
                    AuditEvent.action == "organization.possible_duplicate_confirmed"
                )
            )
        ).scalar_one()
    assert event.target_id == again.json()["id"]
    matched = {(m["field"], m["organization_id"]) for m in event.changes["after"]["matches"]}
    assert matched == {(f, first.json()["id"]) for f in TAKEN}


async def test_a_reseller_learns_of_a_match_outside_its_scope_without_whose_it_is(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    theirs = await create(client, world.reseller_b, legal_name="Beta Fabrikam", **TAKEN)
    assert theirs.status_code == 201
    ours = await create(client, world.reseller_a, legal_name="Alpha Fabrikam", **TAKEN)
    assert ours.status_code == 409
    assert "Beta Fabrikam" not in ours.text and theirs.json()["id"] not in ours.text
    assert {(m["field"], m["organization_id"], m["message"]) for m in ours.json()["matches"]} == {
        ("domain", None, "an organization with this domain already exists on the platform"),
        ("registration_number", None,
         "an organization with this company registration number already exists on the platform"),
        ("vat_id", None, "an organization with this VAT ID already exists on the platform"),
    }  # fmt: skip
    # Its own customers are named.
    mine = await create(client, world.reseller_a, legal_name="Alpha Fabrikam 2", **TAKEN)
    assert mine.status_code == 409
    confirmed = await create(
        client, world.reseller_a, legal_name="Alpha Fabrikam", confirm_duplicate=True, **TAKEN
    )
    assert confirmed.status_code == 201
    again = await create(client, world.reseller_a, legal_name="Alpha Fabrikam 3", **TAKEN)
    named = {m["display_name"] for m in again.json()["matches"]}
    assert named == {"Alpha Fabrikam", None}
    assert "Beta Fabrikam" not in again.text


async def test_an_idempotent_retry_creates_one_organization_and_a_409_does_not_use_the_key(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    assert (
        await create(client, world.platform, legal_name="Fabrikam ApS", **TAKEN)
    ).status_code == 201
    body = organization_payload(legal_name="Fabrikam Twin", **TAKEN)
    headers = world.platform.headers | {"Idempotency-Key": "twin-1"}
    refused = await client.post(URL, json=body, headers=headers)
    assert refused.status_code == 409
    confirmed = body | {"confirm_duplicate": True}
    created = await client.post(URL, json=confirmed, headers=headers)
    replayed = await client.post(URL, json=confirmed, headers=headers)
    assert (created.status_code, replayed.status_code) == (201, 201)
    assert created.json()["id"] == replayed.json()["id"]
    assert await count_named(database, "Fabrikam Twin") == 1
