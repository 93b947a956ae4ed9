"""The app wired to an in-process Partner Center sandbox, a customer tenant in it linked to A's
customer, and helpers that import its directory."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from tenantry.db import Database
from tenantry.directory.importing import run_import
from tenantry.directory.runs import request_import
from tenantry.models import (
    DirectoryAssignment,
    DirectoryImport,
    DirectoryLicense,
    DirectoryUser,
    LinkMethod,
    Organization,
)
from tenantry.partnercenter import access
from tenantry.tenants.linking import TenantFacts, link_tenant
from tests.factories import World
from tests.tenants.conftest import (  # noqa: F401  (fixtures used here)
    app,
    clock,
    job_queue,
    mail_settings,
    people,
    settings_overrides,
    smtp_server,
    sqlite_sandbox,
)

BASIC = "3b555118-da6a-4418-894f-7df1e2096870"
PREMIUM = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"
POWER_BI = "f8a1db68-be16-40ed-86d5-cb42ce701560"
EXCHANGE = "4b9405b0-7788-4568-add1-99614e613b69"
PREMIUM_PRODUCT = "CFQ7TTC0LCHC"
PREMIUM_PAID = "CFQ7TTC0LCHC:0001:CFQ7TTC0K5BD"
PREMIUM_TRIAL = "CFQ7TTC0LCHC:0002:CFQ7TTC0TR6P"


@dataclass
class Tenant:
    """A customer tenant in the sandbox, linked to A's customer."""

    id: str
    domain: str
    organization_id: uuid.UUID
    sandbox: Any

    async def control(self, method: str, path: str, **kwargs: Any) -> Any:
        return await self.sandbox.control(method, f"/customers/{self.id}{path}", **kwargs)

    async def add_user(self, first: str, last: str, **fields: Any) -> str:
        made = await self.control(
            "POST", "/users", json={"firstName": first, "lastName": last, **fields}
        )
        return str(made["id"])

    async def users(self) -> list[dict[str, Any]]:
        response = await self.sandbox.call("GET", f"/v1/customers/{self.id}/users?size=500")
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


async def link(database: Database, organization_id: uuid.UUID, tenant_id: str, domain: str) -> None:
    async with database.transaction() as session:
        organization = await session.get_one(Organization, organization_id)
        facts = TenantFacts(uuid.UUID(tenant_id), initial_domain=domain)
        await link_tenant(session, None, organization, facts, LinkMethod.ENTERED)


@pytest.fixture
async def tenant(
    app: FastAPI,  # noqa: F811  (configures the process's way to the sandbox)
    sqlite_sandbox: Any,  # noqa: F811
    world: World,
    database: Database,
) -> Tenant:
    """A's customer's tenant (see :func:`make_tenant`)."""
    return await make_tenant(sqlite_sandbox, database, world.customer_a.id)


async def make_tenant(
    sandbox: Any, database: Database, organization_id: uuid.UUID, **fields: Any
) -> Tenant:
    """A tenant linked to the organization: five people; three Business Basic licenses of ours
    held by three of them; two Power BI Pro licenses bought from another provider, one held by
    the fourth person. ``fields`` change the sandbox fixture (by default the customer accepted
    the Microsoft Customer Agreement)."""
    fields.setdefault("mcaAttested", True)
    created = await sandbox.customer(
        relationship="direct", extraUsers=4, skus=[{"skuId": BASIC, "units": 3}],
        customDomain=f"alpha{uuid.uuid4().hex[:6]}.example", **fields,
    )  # fmt: skip
    found = Tenant(str(created["id"]), created["domain"], organization_id, sandbox)
    await found.control("POST", "/other-provider-licenses", json={"skuId": POWER_BI, "units": 2})
    fourth = (await found.users())[3]
    await found.control("PUT", f"/users/{fourth['id']}/licenses", json={"skuIds": [POWER_BI]})
    await link(database, organization_id, found.id, found.domain)
    return found


async def imported(
    database: Database, organization_id: uuid.UUID, *, page_size: int = 2, reason: str = "manual"
) -> DirectoryImport:
    """Queue an import and run it to its end; returns the finished import."""
    async with database.transaction() as session:
        queued = await request_import(session, organization_id, reason=reason)
    await run_import(database, access.current(), queued.id, page_size=page_size)
    return await reload(database, queued.id)


async def reload(database: Database, import_id: uuid.UUID) -> DirectoryImport:
    async with database.transaction(write=False) as session:
        found = await session.get(DirectoryImport, import_id)
        assert found is not None
        return found


async def holdings(database: Database, organization_id: uuid.UUID) -> dict[str, set[str]]:
    """Each imported user's principal name and the license SKUs they hold."""
    async with database.transaction(write=False) as session:
        users = list(
            await session.scalars(
                select(DirectoryUser).where(DirectoryUser.organization_id == organization_id)
            )
        )
        pairs = (
            await session.execute(
                select(DirectoryAssignment.directory_user_id, DirectoryAssignment.sku_id).where(
                    DirectoryAssignment.organization_id == organization_id
                )
            )
        ).all()
    held: dict[uuid.UUID, set[str]] = {user.id: set() for user in users}
    for user_id, sku_id in pairs:
        held[user_id].add(sku_id)
    return {user.user_principal_name: held[user.id] for user in users}


async def licenses(database: Database, organization_id: uuid.UUID) -> dict[str, DirectoryLicense]:
    async with database.transaction(write=False) as session:
        rows = await session.scalars(
            select(DirectoryLicense).where(DirectoryLicense.organization_id == organization_id)
        )
        return {row.sku_id: row for row in rows}


async def buy(tenant: Tenant, catalog_item_id: str, quantity: int, term: str | None) -> str:
    """Buy through the sandbox as the provisioning job would (cart, checkout, provisioning);
    returns the subscription's id."""
    line: dict[str, Any] = {"CatalogItemId": catalog_item_id, "Quantity": quantity,
                            "BillingCycle": "Monthly"}  # fmt: skip
    if term:
        line["TermDuration"] = term
    customer = f"/v1/customers/{tenant.id}"
    cart = await tenant.sandbox.call("POST", f"{customer}/carts", json={"LineItems": [line]})
    assert cart.status_code == 201, cart.text
    placed = await tenant.sandbox.call("POST", f"{customer}/carts/{cart.json()['id']}/checkout")
    assert placed.status_code == 201, placed.text
    order = placed.json()["orders"][0]["id"]
    listed = await tenant.sandbox.call("GET", f"{customer}/subscriptions?order_id={order}")
    assert listed.status_code == 200 and listed.json()["items"], listed.text
    return str(listed.json()["items"][0]["id"])


async def licenses_held(tenant: Tenant, user_id: str) -> set[str]:
    response = await tenant.sandbox.call(
        "GET", f"/v1/customers/{tenant.id}/users/{user_id}/licenses"
    )
    assert response.status_code == 200, response.text
    return {item["productSku"]["id"] for item in response.json()["items"]}
