"""Converting a customer's trials of the products an order bought: a new-commerce trial
becomes paid through a transition and its users keep their licenses; a legacy trial converts in
place; a conversion Microsoft refuses is recorded with the reason and leaves the trial as it
was."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import select

from tenantry.db import Database
from tenantry.directory import convert_trials
from tenantry.models import AuditEvent, Organization, TrialConversion, TrialConversionStatus
from tenantry.partnercenter import access
from tests.factories import World

from .conftest import (
    BASIC,
    PREMIUM,
    PREMIUM_PAID,
    PREMIUM_PRODUCT,
    PREMIUM_TRIAL,
    Tenant,
    buy,
    licenses_held,
    make_tenant,
)

BASIC_TRIAL = "CFQ7TTC0LH18:0002:CFQ7TTC0SDL3"
LEGACY_TRIAL = "C0BD2E08-11AC-4836-BDC7-3712E744922F"
LEGACY_PAID = "031C9E47-4802-4248-838E-778FB1D2CC05"


async def convert(database: Database, tenant: Tenant, *products: str) -> list[TrialConversion]:
    async with database.transaction() as session, access.current().client() as client:
        organization = await session.get_one(Organization, tenant.organization_id)
        return await convert_trials(session, client, organization, products)


async def subscription(tenant: Tenant, subscription_id: str) -> dict[str, object]:
    path = f"/v1/customers/{tenant.id}/subscriptions/{subscription_id}"
    response = await tenant.sandbox.call("GET", path)
    assert response.status_code == 200, response.text
    found: dict[str, object] = response.json()
    return found


async def test_a_trial_of_a_bought_product_becomes_paid_and_its_users_keep_their_licenses(
    database: Database, world: World, tenant: Tenant
) -> None:
    trial = await buy(tenant, PREMIUM_TRIAL, 25, None)
    other_trial = await buy(tenant, BASIC_TRIAL, 5, None)
    first, *_, last = await tenant.users()
    await tenant.control("PUT", f"/users/{first['id']}/licenses", json={"skuIds": [BASIC, PREMIUM]})
    await tenant.control("PUT", f"/users/{last['id']}/licenses", json={"skuIds": [PREMIUM]})
    await buy(tenant, PREMIUM_PAID, 1, "P1Y")  # the order: one Business Premium license

    [converted] = await convert(database, tenant, PREMIUM_PRODUCT)

    assert converted.status is TrialConversionStatus.CONVERTED, converted.reason
    assert (converted.method, converted.trial_subscription_id) == ("transition", trial)
    # Two users hold the license, the order's one paid license covers one: one more is bought.
    assert converted.quantity == 1 and converted.target_offer_id is not None
    assert converted.target_offer_id.startswith(f"{PREMIUM_PRODUCT}:0001")
    assert (converted.users_before, converted.users_kept, converted.users_lost) == (2, 2, [])
    assert converted.reason is None
    assert (await subscription(tenant, trial))["status"] == "deleted"
    assert converted.paid_subscription_id is not None
    paid = await subscription(tenant, converted.paid_subscription_id)
    assert (paid["quantity"], bool(paid.get("isTrial")), paid["termDuration"]) == (1, False, "P1Y")
    assert await licenses_held(tenant, first["id"]) == {BASIC, PREMIUM}
    assert await licenses_held(tenant, last["id"]) == {PREMIUM}
    assert (await subscription(tenant, other_trial))["isTrial"] is True, "not a bought product"

    assert await convert(database, tenant, PREMIUM_PRODUCT) == [], "nothing is converted twice"
    async with database.transaction(write=False) as session:
        audited = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "directory.trial_converted")
        )
    assert audited is not None and audited.organization_id == tenant.organization_id


async def test_a_legacy_trial_converts_in_place_to_the_bought_offer(
    database: Database, world: World, tenant: Tenant
) -> None:
    order = {"BillingCycle": "monthly",
             "LineItems": [{"LineItemNumber": 0, "OfferId": LEGACY_TRIAL, "Quantity": 10}]}  # fmt: skip
    placed = await tenant.sandbox.call("POST", f"/v1/customers/{tenant.id}/orders", json=order)
    assert placed.status_code == 201, placed.text
    listed = await tenant.sandbox.call(
        "GET", f"/v1/customers/{tenant.id}/subscriptions?order_id={placed.json()['id']}"
    )
    trial = listed.json()["items"][0]["id"]

    [converted] = await convert(database, tenant, LEGACY_PAID)

    assert converted.status is TrialConversionStatus.CONVERTED, converted.reason
    assert (converted.method, converted.paid_subscription_id) == ("conversion", trial)
    assert (converted.target_offer_id, converted.quantity) == (LEGACY_PAID, 10)
    now_paid = await subscription(tenant, trial)
    assert (now_paid["offerId"], bool(now_paid.get("isTrial"))) == (LEGACY_PAID, False)


async def test_a_conversion_microsoft_refuses_is_said_and_leaves_the_trial(
    app: FastAPI, database: Database, world: World, sqlite_sandbox: object
) -> None:
    # The customer signed the Microsoft Customer Agreement, took a trial, then the agreement
    # is no longer on record: Microsoft refuses every purchase, the conversion included.
    tenant = await make_tenant(sqlite_sandbox, database, world.customer_b.id,
                               mcaAttested=False, mcaDirectSigned=True)  # fmt: skip
    trial = await buy(tenant, PREMIUM_TRIAL, 25, None)
    user = (await tenant.users())[0]
    await tenant.control("PUT", f"/users/{user['id']}/licenses", json={"skuIds": [PREMIUM]})
    await tenant.control("PUT", "/mca", json={"directSigned": False})

    [refused] = await convert(database, tenant, PREMIUM_PRODUCT)

    assert refused.status is TrialConversionStatus.NOT_CONVERTED
    assert refused.reason is not None and "Microsoft Customer Agreement" in refused.reason
    assert refused.paid_subscription_id is None and refused.users_kept == 0
    assert (await subscription(tenant, trial))["isTrial"] is True
    assert await licenses_held(tenant, user["id"]) == {PREMIUM}
