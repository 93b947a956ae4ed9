"""The set-up bench/orders.py measures, none of it timed: the sandbox's customer tenants (N to
order for, N for the baseline's bare purchases) and, in Tenantry, a linked customer organization
per ordering tenant with its agreement read from Partner Center and known accepted."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

import httpx

from tenantry.agreements import microsoft
from tenantry.db import Database
from tenantry.models import (
    LinkMethod,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    utcnow,
)
from tenantry.partnercenter import PartnerCenterClient
from tenantry.tenants.linking import TenantFacts, link_tenant


@dataclass(frozen=True)
class Tenant:
    id: uuid.UUID
    domain: str


# -- the sandbox's tenants ---------------------------------------------------------------------


async def make_tenants(control: httpx.AsyncClient, prefix: str, count: int) -> list[Tenant]:
    """``count`` existing tenants that accepted the distributor and the agreement."""
    gate = asyncio.Semaphore(4)

    async def one(n: int) -> Tenant:
        async with gate:
            made = await control.post(
                "/_sandbox/customers",
                json={"companyName": f"Bench {prefix.title()} {n} Inc.", "domain": f"{prefix}{n}",
                      "country": "US", "relationship": "direct", "mcaAttested": True,
                      "extraUsers": 0},
            )  # fmt: skip
            made.raise_for_status()
            return Tenant(uuid.UUID(made.json()["id"]), made.json()["domain"])

    return list(await asyncio.gather(*(one(n) for n in range(count))))


async def prepare_sandbox(
    control: httpx.AsyncClient, orders: int
) -> tuple[list[Tenant], list[Tenant]]:
    started = time.perf_counter()
    (await control.put("/_sandbox/rate-limits", json={"requestsPerMinute": 0})).raise_for_status()
    (await control.put("/_sandbox/provisioning", json={"polls": 1})).raise_for_status()
    ordering = await make_tenants(control, "benchorders", orders)
    fresh = await make_tenants(control, "benchbaseline", orders)
    print(f"sandbox: {2 * orders:,} customer tenants in {time.perf_counter() - started:.1f} s")
    return ordering, fresh


# -- Tenantry's customers ----------------------------------------------------------------------


async def seed_customers(
    database: Database, client: PartnerCenterClient, platform_id: uuid.UUID, tenants: list[Tenant]
) -> list[uuid.UUID]:
    """A customer organization per tenant, linked, its agreement known accepted (not timed)."""
    started = time.perf_counter()
    made: list[uuid.UUID] = []
    async with database.transaction() as session:
        for n, tenant in enumerate(tenants):
            customer = Organization(
                kind=OrganizationKind.CUSTOMER, platform_id=platform_id, parent_id=platform_id,
                status=OrganizationStatus.ACTIVE, legal_name=f"Bench Orders {n} Inc.",
                display_name=f"Bench Orders {n}", address_line1="1 Microsoft Way",
                address_city="Redmond", address_region="WA", address_postal_code="98052",
                address_country="US", contact_name="Carl Customer",
                contact_email=f"it@benchorders{n}.example", preferred_currency="USD",
                custom_properties={}, approved_at=utcnow(),
            )  # fmt: skip
            session.add(customer)
            await session.flush()
            facts = TenantFacts(tenant.id, initial_domain=tenant.domain)
            await link_tenant(session, None, customer, facts, LinkMethod.VERIFIED)
            status = await microsoft.refresh(session, client, customer)
            if status.state not in microsoft.SATISFIED:
                raise SystemExit(f"the agreement of {tenant.domain} is {status.state.value}")
            made.append(customer.id)
    print(f"tenantry: {len(tenants):,} linked customers in {time.perf_counter() - started:.1f} s")
    return made
