"""What follows a completed order, through the real provisioning job against the sandbox: the
first completed order of a customer whose existing tenant was linked imports its directory (and
a second one does not), a tenant Tenantry created is not imported, the customer's trial of the
product bought becomes paid with its users keeping their licenses, and a conversion Partner
Center fails is recorded while the order stays completed (docs/provisioning.md, "After an order
completes")."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tenantry.agreements.customer.service import accept
from tenantry.db import Database
from tenantry.directory import tasks as _imports  # noqa: F401  (registers the import job)
from tenantry.directory.runs import IMPORT_JOB
from tenantry.models import (
    AuditEvent,
    LinkMethod,
    MicrosoftTenant,
    OrderStatus,
    OutboxItem,
    OutboxStatus,
)
from tenantry.partnercenter.client import PartnerCenterClient
from tests.directory.conftest import BASIC, Tenant, buy, licenses_held
from tests.factories import Party, World
from tests.orders.provisioning.conftest import (
    JOB_KINDS,
    Worker,
    hold_prefix,
    in_the_us,
    paid_order,
    timeline_of,
    with_existing_tenant,
)
from tests.sandbox.conftest import Sandbox

pytestmark = pytest.mark.usefixtures("network", "app")

BASIC_TRIAL = "CFQ7TTC0LH18:0002:CFQ7TTC0SDL3"  # Microsoft 365 Business Basic, trial
TRANSITIONS = "/v1/customers/*/subscriptions/*/transitions"


class ImportingWorker(Worker):
    """A worker that also runs the directory's imports (``directory.import``), as every
    ``tenantry worker`` does."""

    async def due(self) -> list[uuid.UUID]:
        async with self.database.transaction(write=False) as session:
            rows = await session.scalars(
                select(OutboxItem.id)
                .where(
                    OutboxItem.kind.in_((*JOB_KINDS, IMPORT_JOB)),
                    OutboxItem.status == OutboxStatus.PENDING,
                    OutboxItem.available_at <= self.clock(),
                )
                .order_by(OutboxItem.created_at)
            )
            return list(rows)


@pytest.fixture
def importing_worker(worker: Worker) -> ImportingWorker:
    return ImportingWorker(worker.database, worker.clock)


async def linked_tenant(
    database: Database, sandbox: Sandbox, party: Party, **fields: Any
) -> uuid.UUID:
    """The customer's existing tenant, linked: its admin and three more people (``extraUsers``),
    no license yet, the Microsoft Customer Agreement accepted."""
    chosen: dict[str, Any] = {"extraUsers": 3, "skus": []} | fields
    return await with_existing_tenant(database, sandbox, party, mca=True, **chosen)


def directory(party: Party) -> str:
    return f"/api/v1/organizations/{party.organization.id}/directory"


async def read(client: httpx.AsyncClient, party: Party, path: str = "") -> Any:
    """What the customer's own admin reads of its directory (``path`` below it)."""
    response = await client.get(f"{directory(party)}{path}", headers=party.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def import_jobs(database: Database) -> list[OutboxItem]:
    async with database.transaction(write=False) as session:
        return list(await session.scalars(select(OutboxItem).where(OutboxItem.kind == IMPORT_JOB)))


async def sandbox_users(sandbox: Sandbox, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    response = await sandbox.call("GET", f"/v1/customers/{tenant_id}/users?size=500")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def subscription(sandbox: Sandbox, tenant_id: uuid.UUID, subscription_id: str) -> Any:
    response = await sandbox.call(
        "GET", f"/v1/customers/{tenant_id}/subscriptions/{subscription_id}"
    )
    assert response.status_code == 200, response.text
    return response.json()


async def trial_with_two_users(
    sandbox: Sandbox, tenant_id: uuid.UUID, party: Party
) -> tuple[str, list[dict[str, Any]]]:
    """A 25-seat Business Basic trial of ours in the tenant, its license held by two people."""
    tenant = Tenant(str(tenant_id), "", party.organization.id, sandbox)
    trial = await buy(tenant, BASIC_TRIAL, 25, None)
    holders = (await sandbox_users(sandbox, tenant_id))[:2]
    for user in holders:
        await tenant.control("PUT", f"/users/{user['id']}/licenses", json={"skuIds": [BASIC]})
    return trial, holders


# ----------------------------------------------------------------------------- the import


async def test_the_first_completed_order_of_a_linked_tenant_imports_its_users_and_domains(
    database: Database, world: World, sqlite_sandbox: Sandbox, worker: Worker,
    importing_worker: ImportingWorker, client: httpx.AsyncClient,
) -> None:  # fmt: skip
    customer = world.direct_customer
    tenant_id = await linked_tenant(
        database, sqlite_sandbox, customer, customDomain="firstorder.example"
    )
    made = await sqlite_sandbox.control(
        "POST", f"/customers/{tenant_id}/users",
        json={"firstName": "Nora", "lastName": "Nielsen", "usageLocation": "US"},
    )  # fmt: skip
    before = await read(client, customer)
    assert (before["user_count"], before["last_import"], before["open_import"]) == (0, None, None)
    order_id = await paid_order(database, world, customer)

    order = await worker.settle(order_id)  # provisioning only: the import waits for a worker

    assert order.status is OrderStatus.COMPLETED, order.failure_message
    [asked] = (await read(client, customer, "/imports"))["items"]
    assert (asked["reason"], asked["status"]) == (f"first_order:{order_id}", "queued")
    assert (await read(client, customer))["open_import"]["id"] == asked["id"]
    assert (await read(client, customer, "/users"))["items"] == [], "not imported yet"

    await importing_worker.run_due()

    seen = await read(client, customer)
    assert seen["open_import"] is None
    assert (seen["last_import"]["id"], seen["last_import"]["status"]) == (asked["id"], "succeeded")
    in_tenant = await sandbox_users(sqlite_sandbox, tenant_id)
    assert seen["user_count"] == len(in_tenant) == 5  # the admin, three people and Nora
    assert seen["last_import"]["users_added"] == 5
    users = (await read(client, customer, "/users"))["items"]
    assert sorted(u["user_principal_name"] for u in users) == sorted(
        u["userPrincipalName"] for u in in_tenant
    )
    [nora] = [u for u in users if u["user_id"] == made["id"]]
    assert (nora["display_name"], nora["usage_location"]) == ("Nora Nielsen", "US")
    domains = {d["name"]: d["is_initial"] for d in seen["domains"]}
    initial = f"{in_tenant[0]['userPrincipalName'].split('@')[1]}"
    assert domains == {initial: True, "firstorder.example": False}
    # What the order just bought is listed as bought here.
    assert [(x["sku_id"], x["source"], x["our_units"], x["other_units"], x["consumed_units"])
            for x in seen["licenses"]] == [(BASIC, "ours", 3, 0, 0)]  # fmt: skip
    stranger = await client.get(f"{directory(customer)}/users", headers=world.customer_b.headers)
    assert stranger.status_code == 404


async def test_a_second_completed_order_asks_for_no_other_import(
    database: Database, world: World, sqlite_sandbox: Sandbox,
    importing_worker: ImportingWorker, client: httpx.AsyncClient,
) -> None:  # fmt: skip
    customer = world.direct_customer
    await linked_tenant(database, sqlite_sandbox, customer, extraUsers=2)
    first = await paid_order(database, world, customer)
    assert (await importing_worker.settle(first)).status is OrderStatus.COMPLETED
    await importing_worker.run_due()
    [imported] = (await read(client, customer, "/imports"))["items"]
    assert imported["status"] == "succeeded"

    second = await paid_order(database, world, customer)
    order = await importing_worker.settle(second)

    assert order.status is OrderStatus.COMPLETED, order.failure_message
    assert await timeline_of(database, second) == [
        "placed", "paid", "provisioning_started", "completed",
    ]  # fmt: skip
    imports = (await read(client, customer, "/imports"))["items"]
    assert [(i["id"], i["reason"]) for i in imports] == [(imported["id"], f"first_order:{first}")]
    assert (await read(client, customer))["open_import"] is None
    assert len(await import_jobs(database)) == 1


async def test_a_tenant_tenantry_created_is_not_imported(
    database: Database, world: World, sqlite_sandbox: Sandbox,
    importing_worker: ImportingWorker, client: httpx.AsyncClient,
    partner_center: PartnerCenterClient,
) -> None:  # fmt: skip
    customer = world.direct_customer
    await in_the_us(database, customer)
    await hold_prefix(database, customer.organization, "madehere")
    async with database.transaction() as session:
        await accept(
            session, customer.actor, partner_center, first_name="Ada", last_name="Admin",
            email="ada@madehere.example", phone=None,
        )  # fmt: skip
    order_id = await paid_order(database, world, customer)

    order = await importing_worker.settle(order_id)

    assert order.status is OrderStatus.COMPLETED, order.failure_message
    async with database.transaction(write=False) as session:
        tenant = await session.get_one(MicrosoftTenant, customer.organization.id)
    assert tenant.link_method is LinkMethod.CREATED
    seen = await read(client, customer)
    assert seen["tenant_id"] == str(tenant.tenant_id)
    assert (seen["last_import"], seen["open_import"], seen["user_count"]) == (None, None, 0)
    assert (await read(client, customer, "/imports"))["items"] == []
    assert await import_jobs(database) == []


# ----------------------------------------------------------------------------- trials


async def test_the_trial_of_the_product_bought_becomes_paid_and_its_users_keep_the_license(
    database: Database, world: World, sqlite_sandbox: Sandbox,
    importing_worker: ImportingWorker, client: httpx.AsyncClient,
) -> None:  # fmt: skip
    customer = world.direct_customer
    tenant_id = await linked_tenant(database, sqlite_sandbox, customer)
    trial, holders = await trial_with_two_users(sqlite_sandbox, tenant_id, customer)
    assert (await read(client, customer, "/trial-conversions")) == []
    order_id = await paid_order(database, world, customer)  # three Business Basic licenses

    order = await importing_worker.settle(order_id)
    await importing_worker.run_due()

    assert order.status is OrderStatus.COMPLETED, order.failure_message
    [converted] = await read(client, customer, "/trial-conversions")
    assert (converted["status"], converted["method"]) == ("converted", "transition")
    assert converted["trial_subscription_id"] == trial and converted["reason"] is None
    assert (converted["users_before"], converted["users_kept"], converted["users_lost"]) == (
        2, 2, [],
    )  # fmt: skip
    # The order's three paid licenses already cover both users: Microsoft's minimum is bought.
    assert converted["quantity"] == 1
    assert converted["target_offer_id"].startswith("CFQ7TTC0LH18:0001")
    assert (await subscription(sqlite_sandbox, tenant_id, trial))["status"] == "deleted"
    paid = await subscription(sqlite_sandbox, tenant_id, converted["paid_subscription_id"])
    assert (paid["status"], bool(paid.get("isTrial")), paid["quantity"]) == ("active", False, 1)
    tenant = Tenant(str(tenant_id), "", customer.id, sqlite_sandbox)
    for user in holders:
        assert await licenses_held(tenant, user["id"]) == {BASIC}
    # The import that followed the order sees the same: both still hold it, bought here.
    users = (await read(client, customer, "/users"))["items"]
    holding = {u["user_id"]: [(x["sku_id"], x["source"]) for x in u["licenses"]] for u in users}
    assert {user["id"]: holding[user["id"]] for user in holders} == {
        user["id"]: [(BASIC, "ours")] for user in holders
    }
    basic = {item["sku_id"]: item for item in (await read(client, customer))["licenses"]}[BASIC]
    assert (basic["our_units"], basic["trial_units"], basic["consumed_units"]) == (4, 0, 2)
    stranger = await client.get(
        f"{directory(customer)}/trial-conversions", headers=world.customer_b.headers
    )
    assert stranger.status_code == 404


async def test_a_conversion_partner_center_fails_is_recorded_and_the_order_stays_completed(
    database: Database, world: World, sqlite_sandbox: Sandbox,
    importing_worker: ImportingWorker, client: httpx.AsyncClient,
) -> None:  # fmt: skip
    customer = world.direct_customer
    tenant_id = await linked_tenant(database, sqlite_sandbox, customer)
    trial, holders = await trial_with_two_users(sqlite_sandbox, tenant_id, customer)
    await sqlite_sandbox.control("PUT", "/faults", json={"seed": 7, "rules": [
        {"kind": "error", "status": 503, "path": TRANSITIONS, "methods": ["POST"]},
    ]})  # fmt: skip
    order_id = await paid_order(database, world, customer)

    order = await importing_worker.settle(order_id)

    assert order.status is OrderStatus.COMPLETED, order.failure_message
    assert (await timeline_of(database, order_id))[-1] == "completed"
    assert (await sqlite_sandbox.control("GET", "/faults"))["fired"] == [3], "tried, three times"
    [refused] = await read(client, customer, "/trial-conversions")
    assert (refused["status"], refused["trial_subscription_id"]) == ("not_converted", trial)
    assert refused["reason"].startswith("Partner Center could not be reached")
    assert (refused["paid_subscription_id"], refused["users_kept"]) == (None, 0)
    async with database.transaction(write=False) as session:
        audited = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "directory.trial_not_converted")
        )
    assert audited is not None and audited.organization_id == customer.organization.id
    # The trial is left as it was, its users keep the trial's license.
    await sqlite_sandbox.control("DELETE", "/faults")
    assert (await subscription(sqlite_sandbox, tenant_id, trial))["isTrial"] is True
    tenant = Tenant(str(tenant_id), "", customer.id, sqlite_sandbox)
    for user in holders:
        assert await licenses_held(tenant, user["id"]) == {BASIC}
    # The completed order's import was asked for all the same.
    await importing_worker.run_due()
    [asked] = (await read(client, customer, "/imports"))["items"]
    assert (asked["reason"], asked["status"]) == (f"first_order:{order_id}", "succeeded")


async def test_a_failed_conversion_promises_no_retry_that_never_comes(
    database: Database, world: World, sqlite_sandbox: Sandbox,
    importing_worker: ImportingWorker, client: httpx.AsyncClient,
) -> None:  # fmt: skip
    customer = world.direct_customer
    tenant_id = await linked_tenant(database, sqlite_sandbox, customer)
    trial, _ = await trial_with_two_users(sqlite_sandbox, tenant_id, customer)
    await sqlite_sandbox.control("PUT", "/faults", json={"rules": [
        {"kind": "error", "status": 503, "path": TRANSITIONS, "methods": ["POST"], "times": 3},
    ]})  # fmt: skip
    order_id = await paid_order(database, world, customer)
    assert (await importing_worker.settle(order_id)).status is OrderStatus.COMPLETED

    # Partner Center answers again, and a day passes with every job run.
    importing_worker.clock.advance(timedelta(days=1).total_seconds())
    await importing_worker.run_due()

    assert (await subscription(sqlite_sandbox, tenant_id, trial))["isTrial"] is True
    [refused] = await read(client, customer, "/trial-conversions")
    assert refused["status"] == "not_converted"
    # Nothing converts it again (docs/provisioning.md: staff convert it from Partner Center or
    # order again), so the reason the customer and staff read must not promise it.
    assert "tried again later" not in refused["reason"], refused["reason"]


async def test_a_conversion_whose_answer_was_lost_is_recorded_as_partner_center_made_it(
    database: Database, world: World, sqlite_sandbox: Sandbox,
    importing_worker: ImportingWorker, client: httpx.AsyncClient,
) -> None:  # fmt: skip
    customer = world.direct_customer
    tenant_id = await linked_tenant(database, sqlite_sandbox, customer)
    trial, holders = await trial_with_two_users(sqlite_sandbox, tenant_id, customer)
    # Partner Center converts the trial, and its answer never arrives, every time it is asked.
    await sqlite_sandbox.control("PUT", "/faults", json={"rules": [
        {"kind": "disconnect", "afterResponse": True, "path": TRANSITIONS, "methods": ["POST"],
         "times": 3},
    ]})  # fmt: skip
    order_id = await paid_order(database, world, customer)

    order = await importing_worker.settle(order_id)

    assert order.status is OrderStatus.COMPLETED, order.failure_message
    assert (await sqlite_sandbox.control("GET", "/faults"))["fired"] == [3]
    assert (await subscription(sqlite_sandbox, tenant_id, trial))["status"] == "deleted"
    [made] = (await sqlite_sandbox.call(
        "GET", f"/v1/customers/{tenant_id}/subscriptions/{trial}/transitions"
    )).json()["items"]  # fmt: skip
    [recorded] = await read(client, customer, "/trial-conversions")
    assert (recorded["status"], recorded["reason"]) == ("converted", None), recorded["reason"]
    assert recorded["paid_subscription_id"] == made["toSubscriptionId"]
    assert (recorded["users_before"], recorded["users_kept"]) == (len(holders), len(holders))
