"""The seed as the sync benchmark uses it: every customer listed, names in many scripts, a few
incomplete billing profiles, the demo resellers among the indirect ones; and the lifted rate
limit."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from tenantry_sandbox.seed import DEMO_RESELLER_IDS
from tenantry_sandbox.store.customers import BillingProfile
from tenantry_sandbox.store.relationships import CustomerRelationship, Role
from tenantry_sandbox.store.users import CustomerUser

from .conftest import Sandbox

CUSTOMERS = 300


async def listed(sandbox: Sandbox) -> list[dict[str, Any]]:
    """Every customer the distributor lists, page by page (the largest page)."""
    answer = await sandbox.call("GET", "/v1/customers?size=500", app_only=True)
    items: list[dict[str, Any]] = answer.json()["items"]
    while token := answer.json().get("continuationToken"):
        answer = await sandbox.call(
            "GET", "/v1/customers?seekOperation=Next", app_only=True,
            headers={"MS-ContinuationToken": token},
        )  # fmt: skip
        items += answer.json()["items"]
    return items


async def test_a_sync_world_lists_every_customer_with_variety(sandbox: Sandbox) -> None:
    summary = await sandbox.control(
        "POST", "/seed", json={"customers": CUSTOMERS, "seed": 3, "extent": "customers"}
    )
    assert summary["rows"]["customers"] == CUSTOMERS
    assert "customer_users" not in summary["rows"]  # no directory in a sync world
    customers = await listed(sandbox)
    assert len(customers) == CUSTOMERS
    assert len({c["id"] for c in customers}) == CUSTOMERS
    names = [c["companyProfile"]["companyName"] for c in customers]
    scripts = Counter("latin" if all(ord(ch) < 0x250 for ch in name) else "other" for name in names)
    assert scripts["other"] >= CUSTOMERS // 10, scripts  # Japanese, Cyrillic, Arabic...
    assert any("株式会社" in name for name in names) or any("ООД" in name for name in names)

    async with sandbox.state.db.sessionmaker() as session:
        incomplete = await session.scalar(
            select(func.count())
            .select_from(BillingProfile)
            .where((BillingProfile.address_line1 == "") | (BillingProfile.city == ""))
        )
        indirect = Counter(
            (
                await session.execute(
                    select(CustomerRelationship.partner_tenant_id).where(
                        CustomerRelationship.role == Role.INDIRECT_RESELLER.value
                    )
                )
            ).scalars()
        )
        users = await session.scalar(select(func.count()).select_from(CustomerUser))
    assert 1 <= int(incomplete or 0) <= CUSTOMERS // 10  # a few percent
    assert set(DEMO_RESELLER_IDS) <= set(indirect)  # the demo's resellers serve some
    assert len(indirect) > len(DEMO_RESELLER_IDS)  # and the seeded ones others
    assert sum(indirect.values()) < CUSTOMERS  # the rest are direct customers
    assert users == 0


async def test_an_incomplete_billing_profile_reads_as_partner_center_sends_it(
    sandbox: Sandbox,
) -> None:
    await sandbox.control(
        "POST", "/seed", json={"customers": 200, "seed": 3, "extent": "customers"}
    )
    async with sandbox.state.db.sessionmaker() as session:
        customer_id = await session.scalar(
            select(BillingProfile.customer_id).where(BillingProfile.address_line1 == "").limit(1)
        )
    assert isinstance(customer_id, uuid.UUID)
    profile = await sandbox.call("GET", f"/v1/customers/{customer_id}/profiles/billing")
    assert profile.status_code == 200
    assert not profile.json()["defaultAddress"].get("addressLine1")


async def test_the_full_seed_keeps_its_directory_and_existing_tenants(sandbox: Sandbox) -> None:
    summary = await sandbox.control("POST", "/seed", json={"customers": 100, "seed": 3})
    assert summary["rows"]["customer_users"] >= 100
    assert len(await listed(sandbox)) < 100  # some tenants have no relationship yet


async def test_a_rate_limit_of_zero_lifts_it(sandbox: Sandbox) -> None:
    await sandbox.control("PUT", "/rate-limits", json={"requestsPerMinute": 1})
    assert (await sandbox.call("GET", "/v1/customers?size=1")).status_code == 200
    assert (await sandbox.call("GET", "/v1/customers?size=1")).status_code == 429
    lifted = await sandbox.control("PUT", "/rate-limits", json={"requestsPerMinute": 0})
    assert lifted["requestsPerMinute"] == 0
    for _ in range(3):
        assert (await sandbox.call("GET", "/v1/customers?size=1")).status_code == 200
