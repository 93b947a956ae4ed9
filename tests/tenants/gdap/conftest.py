"""GDAP against the sandbox: the app reaches it in process, its customer's Global Administrator
approves on the sandbox's admin-center page, and handlers are called with Partner Center events
as the event job would."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import GdapRelationship, Organization, OutboxItem, PartnerCenterEvent, utcnow
from tenantry.settings import Settings
from tests.factories import World
from tests.jobs.conftest import clock, job_queue  # noqa: F401  (fixtures used here)
from tests.sandbox.conftest import BASE_URL as SANDBOX_URL
from tests.sandbox.conftest import Sandbox, sqlite_sandbox  # noqa: F401  (fixture used here)
from tests.sandbox.outside_world import Browser, graph_headers

GRAPH = "/graph/v1.0/tenantRelationships/delegatedAdminRelationships"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"partner_center_api_url": SANDBOX_URL, "partner_center_login_url": SANDBOX_URL}


@pytest.fixture
def app(
    settings: Settings, database: Database, job_queue: JobQueue,  # noqa: F811
    sqlite_sandbox: Sandbox,  # noqa: F811
) -> FastAPI:  # fmt: skip
    return create_app(
        settings, database=database, queue=job_queue,
        http_transport=httpx.ASGITransport(app=sqlite_sandbox.app),
    )  # fmt: skip


@pytest.fixture
async def tenant(database: Database, world: World, sqlite_sandbox: Sandbox) -> dict[str, Any]:  # noqa: F811
    """Alpha Customer (reseller A's) holds a tenant that exists in the sandbox."""
    customer = await sqlite_sandbox.customer(company_name="Alpha Customer")
    async with database.transaction() as session:
        await session.execute(
            update(Organization)
            .where(Organization.id == world.customer_a.id)
            .values(tenant_id=uuid.UUID(customer["id"]))
        )
    return customer


async def request_gdap(
    client: httpx.AsyncClient, world: World, organization_id: uuid.UUID | None = None,
    **body: Any,
) -> httpx.Response:  # fmt: skip
    return await client.post(
        f"/api/v1/organizations/{organization_id or world.customer_a.id}/gdap-relationships",
        json={"template": "support", "duration_days": 365} | body,
        headers=world.reseller_a.headers,
    )


async def approve(sandbox: Sandbox, customer: dict[str, Any], approval_url: str) -> None:
    """The customer's Global Administrator opens the emailed link and approves."""
    browser = Browser(sandbox.client)
    await browser.open(approval_url, sign_in_as=customer["adminUserPrincipalName"])
    relationship_id = approval_url.rsplit("/", 1)[-1]
    page = await browser.open(
        f"{SANDBOX_URL}/AdminPortal/partners/invitation/granularAdminRelationships/{relationship_id}"
    )
    approved = await browser.submit(page)
    assert "You approved this request" in approved.text, approved.text


async def graph_relationships(sandbox: Sandbox) -> list[dict[str, Any]]:
    response = await sandbox.client.get(GRAPH, headers=await graph_headers(sandbox))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["value"]
    return items


def event(
    name: str, relationship_id: str | None = None, *, platform_id: uuid.UUID, **body: Any
) -> PartnerCenterEvent:
    """A recorded Partner Center event of the platform, as the inbound endpoint stores it."""
    uri = (
        f"https://partner.microsoft.com/granularAdminRelationships/{relationship_id}"
        if relationship_id
        else None
    )
    payload = {"EventName": name, "ResourceUri": uri, **body}
    return PartnerCenterEvent(
        id=uuid.uuid4(), platform_id=platform_id,
        body_sha256=hashlib.sha256(repr(payload).encode()).hexdigest(),
        event_name=name, resource_uri=uri, body=payload, received_at=utcnow(),
    )  # fmt: skip


async def stored(database: Database, row_id: str) -> GdapRelationship:
    async with database.transaction(write=False) as session:
        row = await session.get(GdapRelationship, uuid.UUID(row_id))
        assert row is not None
        return row


async def emails(database: Database, template: str) -> list[dict[str, Any]]:
    async with database.transaction(write=False) as session:
        rows = await session.scalars(
            select(OutboxItem).where(OutboxItem.kind == "notifications.email")
        )
        return [r.payload for r in rows if r.payload.get("template") == template]
