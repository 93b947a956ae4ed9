"""A reseller's MPN ID, checked in Partner Center (the sandbox) before and on save: every
cause has its own sentence and rule, a valid ID gives the reseller its partner tenant, and a
Partner Center that cannot be asked saves nothing."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from tenantry.db import Database
from tenantry.models import Organization, PlatformModel
from tests.factories import World, address, organization_payload
from tests.resellers.conftest import partner_center_down, reseller
from tests.sandbox.conftest import Sandbox

CHECK = "/api/v1/resellers/mpn-check"
URL = "/api/v1/organizations"
DISTRIBUTOR = "Northwind Distribution A/S"
ADVICE = (
    f"Check the ID; if the problem persists, authorize {DISTRIBUTOR} as your indirect CSP by "
    "accepting the Microsoft Partner Agreement in Partner Center."
)


def reseller_payload(mpn_id: str, **overrides: Any) -> dict[str, Any]:
    return organization_payload(
        kind="reseller", mpn_id=mpn_id, legal_name=f"Reseller {mpn_id} ApS",
        domain=f"r{mpn_id}.example", address=address(), **overrides,
    )  # fmt: skip


CAUSES = [
    ({"mpaSigned": False}, "mpa_not_signed", "has not signed the Microsoft Partner Agreement"),
    ({"inNetwork": False}, "mpn_not_in_network", f"has not accepted {DISTRIBUTOR}"),
    ({"program": "none"}, "mpn_not_indirect_reseller", "not enrolled in the CSP program"),
    (None, "mpn_unknown", "Partner Center knows no partner with this ID"),
]


@pytest.mark.parametrize(("fixture", "status", "sentence"), CAUSES)
async def test_each_cause_is_named_in_its_own_sentence(
    client: httpx.AsyncClient, world: World, sqlite_sandbox: Sandbox,
    fixture: dict[str, Any] | None, status: str, sentence: str,
) -> None:  # fmt: skip
    mpn_id = "9999999" if fixture is None else "7100001"
    if fixture is not None:
        await reseller(sqlite_sandbox, mpn_id, **fixture)
    response = await client.get(CHECK, params={"mpn_id": mpn_id}, headers=world.platform.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["valid"], body["status"]) == (False, status)
    assert body["message"].startswith(f"There seems to be a problem with the MPN ID {mpn_id}. ")
    assert sentence in body["message"]
    assert body["message"].endswith(ADVICE)


async def test_a_reseller_of_the_network_is_valid_with_its_partner_tenant(
    client: httpx.AsyncClient, world: World, sqlite_sandbox: Sandbox
) -> None:
    partner = await reseller(sqlite_sandbox, "7100002")
    response = await client.get(CHECK, params={"mpn_id": "7100002"}, headers=world.platform.headers)
    body = response.json()
    assert (body["valid"], body["status"]) == (True, "valid")
    assert body["reseller_tenant_id"] == partner["tenantId"]
    assert body["network_checked"] is True
    assert "is valid and is a reseller in Northwind Distribution A/S's network" in body["message"]


async def test_a_direct_csp_skips_the_network_check(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox
) -> None:
    await reseller(sqlite_sandbox, "7100003", inNetwork=False)
    async with database.transaction() as session:
        await session.execute(
            update(Organization)
            .where(Organization.id == world.platform.id)
            .values(platform_model=PlatformModel.DIRECT_CSP)
        )
    response = await client.get(CHECK, params={"mpn_id": "7100003"}, headers=world.platform.headers)
    body = response.json()
    assert (body["valid"], body["network_checked"]) == (True, False)


async def test_a_customer_may_not_check_mpn_ids(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get(
        CHECK, params={"mpn_id": "7100004"}, headers=world.customer_a.headers
    )
    assert response.status_code == 403


async def test_partner_center_unreachable_is_a_503_that_says_so(
    client: httpx.AsyncClient, world: World, sqlite_sandbox: Sandbox
) -> None:
    await partner_center_down(sqlite_sandbox)
    response = await client.get(CHECK, params={"mpn_id": "7100005"}, headers=world.platform.headers)
    assert response.status_code == 503
    error = response.json()["errors"][0]
    assert (error["field"], error["rule"]) == ("mpn_id", "partner_center_unavailable")
    assert "could not be reached" in error["message"]


async def test_saving_a_reseller_checks_its_mpn_id_and_keeps_its_tenant(
    client: httpx.AsyncClient, world: World, sqlite_sandbox: Sandbox
) -> None:
    partner = await reseller(sqlite_sandbox, "7100006")
    created = await client.post(
        URL, json=reseller_payload("7100006"), headers=world.platform.headers
    )
    assert created.status_code == 201, created.text
    assert created.json()["tenant_id"] == partner["tenantId"]
    assert created.json()["mpn_status"] == "valid"


async def test_saving_a_failing_mpn_id_is_refused_naming_field_and_cause(
    client: httpx.AsyncClient, world: World, sqlite_sandbox: Sandbox
) -> None:
    await reseller(sqlite_sandbox, "7100007", mpaSigned=False)
    refused = await client.post(
        URL, json=reseller_payload("7100007"), headers=world.platform.headers
    )
    assert refused.status_code == 422
    assert [(e["field"], e["rule"]) for e in refused.json()["errors"]] == [
        ("mpn_id", "mpa_not_signed")
    ]


async def test_changing_to_a_failing_mpn_id_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    target = f"{URL}/{world.reseller_a.id}"
    response = await client.patch(
        target, json={"mpn_id": "9999999"}, headers=world.platform.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["rule"] == "mpn_unknown"


async def test_partner_center_unreachable_on_save_saves_nothing(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox
) -> None:
    await reseller(sqlite_sandbox, "7100008")
    await partner_center_down(sqlite_sandbox)
    response = await client.post(
        URL, json=reseller_payload("7100008"), headers=world.platform.headers
    )
    assert response.status_code == 503
    assert response.json()["errors"][0]["field"] == "mpn_id"
    async with database.transaction() as session:
        count = await session.scalar(
            select(func.count()).select_from(Organization).where(Organization.mpn_id == "7100008")
        )
    assert count == 0


async def test_saving_again_an_unchanged_failing_id_stores_the_new_outcome(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox
) -> None:
    partner = await reseller(sqlite_sandbox, "7100009")
    async with database.transaction() as session:
        await session.execute(
            update(Organization)
            .where(Organization.id == world.reseller_b.id)
            .values(mpn_id="7100009", mpn_status="mpn_not_in_network")
        )
    response = await client.patch(
        f"{URL}/{world.reseller_b.id}", json={"mpn_id": "7100009"}, headers=world.platform.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["mpn_status"] == "valid"
    assert uuid.UUID(response.json()["tenant_id"]) == uuid.UUID(partner["tenantId"])
