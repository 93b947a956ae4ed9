"""The Microsoft tenant ID of an organization is one of the platform's customers in Partner
Center (here the sandbox), or left empty for the tenants flow to fill in."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.settings import Settings
from tests.factories import World, organization_payload
from tests.sandbox.conftest import BASE_URL as SANDBOX_URL
from tests.sandbox.conftest import Sandbox, sqlite_sandbox  # noqa: F401  (fixture used here)

URL = "/api/v1/organizations"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"partner_center_api_url": SANDBOX_URL, "partner_center_login_url": SANDBOX_URL}


@pytest.fixture
def app(
    settings: Settings,
    database: Database,
    sqlite_sandbox: Sandbox,  # noqa: F811  (the imported fixture, as a parameter)
) -> FastAPI:
    return create_app(
        settings, database=database, http_transport=httpx.ASGITransport(app=sqlite_sandbox.app)
    )


async def test_a_customer_tenant_of_the_platform_is_accepted(
    client: httpx.AsyncClient,
    world: World,
    sqlite_sandbox: Sandbox,  # noqa: F811
) -> None:
    customer = await sqlite_sandbox.customer(companyName="Fabrikam Cloud")
    response = await client.post(
        URL, json=organization_payload(tenant_id=customer["id"]), headers=world.platform.headers
    )
    assert response.status_code == 201, response.text
    assert response.json()["tenant_id"] == customer["id"]


async def test_an_unknown_tenant_or_one_without_a_relationship_is_refused_naming_the_field(
    client: httpx.AsyncClient,
    world: World,
    sqlite_sandbox: Sandbox,  # noqa: F811
) -> None:
    elsewhere = await sqlite_sandbox.customer(companyName="Elsewhere", relationship="none")
    reasons = {str(uuid.uuid4()): "does not exist", elsewhere["id"]: "no reseller relationship"}
    for tenant_id, reason in reasons.items():
        response = await client.post(
            URL, json=organization_payload(tenant_id=tenant_id), headers=world.platform.headers
        )
        assert response.status_code == 422, response.text
        assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [
            ("tenant_id", "partner_center_customer")
        ]
        assert reason in response.json()["errors"][0]["message"]
    # Every other problem is reported in the same answer.
    both = await client.post(
        URL,
        json=organization_payload(tenant_id=str(uuid.uuid4()), domain="not a domain"),
        headers=world.platform.headers,
    )
    assert {e["field"] for e in both.json()["errors"]} == {"tenant_id", "domain"}


async def test_an_edit_checks_a_new_tenant_id(
    client: httpx.AsyncClient,
    world: World,
    sqlite_sandbox: Sandbox,  # noqa: F811
) -> None:
    url = f"{URL}/{world.direct_customer.id}"
    headers = world.platform.headers | {"If-Match": '"1"'}
    refused = await client.patch(url, json={"tenant_id": str(uuid.uuid4())}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "tenant_id"
    customer = await sqlite_sandbox.customer(companyName="Direct Cloud")
    saved = await client.patch(url, json={"tenant_id": customer["id"]}, headers=headers)
    assert saved.status_code == 200, saved.text


async def test_a_tenant_belongs_to_one_organization_even_when_a_duplicate_is_confirmed(
    client: httpx.AsyncClient,
    world: World,
    sqlite_sandbox: Sandbox,  # noqa: F811
) -> None:
    customer = await sqlite_sandbox.customer(companyName="Fabrikam Cloud")
    body = organization_payload(tenant_id=customer["id"])
    assert (await client.post(URL, json=body, headers=world.platform.headers)).status_code == 201
    second = organization_payload(tenant_id=customer["id"], legal_name="Other Name A/S")
    for confirmed in (False, True):
        again = await client.post(
            URL, json=second | {"confirm_duplicate": confirmed}, headers=world.platform.headers
        )
        assert again.status_code == 409
        assert again.json()["code"] == "tenant_held_by_another_organization"
        assert body["legal_name"] in again.json()["detail"]


async def test_partner_center_out_of_reach_is_a_503_that_saves_nothing(
    settings: Settings, database: Database, world: World
) -> None:
    unreachable = settings.model_copy(
        update={"partner_center_api_url": "http://127.0.0.1:9", "partner_center_login_url":
                "http://127.0.0.1:9"}
    )  # fmt: skip
    app = create_app(unreachable, database=database)
    body = organization_payload(tenant_id=str(uuid.uuid4()), legal_name="Unreachable ApS")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(URL, json=body, headers=world.platform.headers)
        assert response.status_code == 503, response.text
        assert response.json()["code"] == "partner_center_unavailable"
        assert response.json()["errors"][0]["field"] == "tenant_id"
        listed = await client.get(f"{URL}?q=Unreachable", headers=world.platform.headers)
        assert listed.json()["items"] == []
        # Left empty, the tenant ID needs no Partner Center.
        empty = await client.post(
            URL, json=body | {"tenant_id": None}, headers=world.platform.headers
        )
        assert empty.status_code == 201, empty.text
