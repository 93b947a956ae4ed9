"""The seed (deterministic, bulk, 100,000 customers) and the control API."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import func, select

from tenantry_sandbox.seed import seed
from tenantry_sandbox.store.customers import Customer
from tenantry_sandbox.store.partners import Partner

from .conftest import Sandbox


async def world_of(sandbox: Sandbox) -> list[tuple[Any, ...]]:
    async with sandbox.state.db.sessionmaker() as session:
        rows = await session.execute(
            select(Customer.id, Customer.company_name, Customer.initial_domain).order_by(
                Customer.seq
            )
        )
        return [tuple(row) for row in rows]


async def test_the_same_seed_makes_the_same_world(sandbox: Sandbox, tmp_path: Any) -> None:
    summary = await sandbox.control("POST", "/seed", json={"customers": 300, "seed": 5})
    assert summary["customers"] == 300
    assert summary["resellers"] == 6
    first = await world_of(sandbox)
    await sandbox.control("POST", "/reset")
    await sandbox.control("POST", "/seed", json={"customers": 300, "seed": 5})
    assert await world_of(sandbox) == first
    await sandbox.control("POST", "/reset")
    await sandbox.control("POST", "/seed", json={"customers": 300, "seed": 6})
    assert await world_of(sandbox) != first


async def test_seeding_again_adds_customers(sandbox: Sandbox) -> None:
    await sandbox.control("POST", "/seed", json={"customers": 50})
    again = await sandbox.control("POST", "/seed", json={"customers": 50})
    assert again["resellers"] == 0  # the network exists already
    assert len(await world_of(sandbox)) == 100


async def test_the_seeded_world_answers_every_mpa_case(sandbox: Sandbox) -> None:
    await sandbox.control("POST", "/seed", json={"customers": 20, "seed": 1})
    async with sandbox.state.db.sessionmaker() as session:
        resellers = list(
            (
                await session.execute(select(Partner).where(Partner.program != "indirect_provider"))
            ).scalars()
        )
    codes = set()
    for reseller in resellers:
        response = await sandbox.call(
            "GET", f"/v1/compliance/csp/agreementstatus?mpnId={reseller.mpn_id}"
        )
        codes.add(response.status_code if response.status_code == 200 else response.json()["code"])
    assert codes == {200, 2203, 2204}
    listed = await sandbox.call(
        "GET", "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf"
    )
    assert len(listed.json()["items"]) >= 3  # two signed-or-not in network, more random


async def test_seeded_customers_are_complete(sandbox: Sandbox) -> None:
    await sandbox.control("POST", "/seed", json={"customers": 30, "seed": 2})
    page = (await sandbox.call("GET", "/v1/customers?size=100")).json()
    assert page["items"], "most seeded customers have a relationship with the distributor"
    customer = page["items"][0]["id"]
    detail = (await sandbox.call("GET", f"/v1/customers/{customer}")).json()
    assert detail["billingProfile"]["defaultAddress"]["addressLine1"]
    assert detail["customDomains"][0].endswith(".onmicrosoft.com")
    users = (await sandbox.call("GET", f"/v1/customers/{customer}/users")).json()
    assert users["items"][0]["userPrincipalName"].startswith("admin@")
    skus = (await sandbox.call("GET", f"/v1/customers/{customer}/subscribedskus")).json()
    assert skus["items"]


async def test_fixtures_and_summary(sandbox: Sandbox) -> None:
    reseller = await sandbox.reseller("Fixture Reseller", mpnId="7654321", location="DE")
    customer = await sandbox.customer(
        companyName="Fixture GmbH",
        domain="fixturegmbh",
        country="DE",
        relationship="indirect",
        resellerTenantId=reseller["tenantId"],
        mcaAttested=True,
        mcaDirectSigned=True,
    )
    assert customer["domain"] == "fixturegmbh.onmicrosoft.com"
    agreements = await sandbox.call("GET", f"/v1/customers/{customer['id']}/agreements")
    assert agreements.json()["totalCount"] == 1
    signed = await sandbox.call(
        "GET", f"/v1/customers/{customer['id']}/directSignedMicrosoftCustomerAgreementStatus"
    )
    assert signed.json() == {"isSigned": True}
    summary = await sandbox.control("GET", "/summary")
    assert summary["rows"]["customers"] == 1
    duplicate = await sandbox.client.post("/_sandbox/customers", json={"domain": "fixturegmbh"})
    assert duplicate.status_code == 409


async def test_reset_keeps_only_the_distributor(sandbox: Sandbox) -> None:
    await sandbox.control("POST", "/seed", json={"customers": 10})
    await sandbox.control("PUT", "/faults", json={"rules": [{"kind": "latency", "latencyMs": 1}]})
    await sandbox.control("POST", "/reset")
    summary = await sandbox.control("GET", "/summary")
    assert summary["rows"]["customers"] == 0
    assert summary["rows"]["partners"] == 1
    assert (await sandbox.control("GET", "/faults"))["rules"] == []
    # the bootstrap refresh token is registered again
    assert (await sandbox.call("GET", "/v1/customers/relationshiprequests")).status_code == 200


@pytest.mark.slow
async def test_seeding_100000_customers(sqlite_sandbox: Sandbox) -> None:
    sandbox = sqlite_sandbox
    started = time.perf_counter()
    async with sandbox.state.db.sessionmaker() as session, session.begin():
        summary = await seed(session, customers=100_000, seed=1, settings=sandbox.settings)
    elapsed = time.perf_counter() - started
    print(f"seeded 100,000 customers ({sum(summary.rows.values())} rows) in {elapsed:.1f} s")
    async with sandbox.state.db.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Customer)) == 100_000
    first_page = await sandbox.call("GET", "/v1/customers?size=500")
    assert first_page.json()["totalCount"] == 500
