"""Deterministic demo and test data, inserted in bulk.

``seed(session, customers=N, seed=S)`` gives the distributor a network of indirect resellers (the
first time: some in its network that signed the Microsoft Partner Agreement, one that has not, one
outside its network, one PartnerID that is no CSP reseller) and N customers with company and
billing profiles, initial and custom domains, users, subscribed SKUs, assigned licenses, MCA
attestations and relationships: most served through a reseller, some directly, some with no
relationship yet (existing tenants to link with an invitation).

Resellers come from ``seed_resellers``, customers from ``seed_customers``; their rows are queued
(``seed_rows``) and inserted in chunks, so 100,000 customers take seconds. The same seed on the same
starting state yields the same world: ids come from a random stream seeded with ``seed`` and the
number of customers already present.
"""

from __future__ import annotations

import gc
import random
import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox import seed_data
from tenantry_sandbox.seed_customers import add_customer, plan_customer
from tenantry_sandbox.seed_resellers import add_demo_resellers, add_resellers
from tenantry_sandbox.seed_rows import Rows
from tenantry_sandbox.seed_variety import Variety
from tenantry_sandbox.services.accounts import seed_personal_accounts
from tenantry_sandbox.services.bootstrap import ensure_distributor
from tenantry_sandbox.settings import SandboxSettings
from tenantry_sandbox.store import partners
from tenantry_sandbox.store.customers import Customer
from tenantry_sandbox.store.partners import Partner, Program

CHUNK = 5_000
# "full": every row the sandbox's flows read. "customers": what a sync reads (customers related to
# the partner, profiles, domains, relationships, subscriptions), no users, licenses or attestations.
SeedExtent = Literal["full", "customers"]
DEMO_RESELLER_IDS = tuple(uuid.UUID(tenant) for _mpn, tenant, _n, _l in seed_data.DEMO_RESELLERS)


@dataclass(frozen=True)
class SeedSummary:
    customers: int
    resellers: int
    rows: dict[str, int]


async def is_seeded(session: AsyncSession) -> bool:
    """Whether the sandbox holds any customer (seeded, or made through its API)."""
    return bool(await session.scalar(select(func.count()).select_from(Customer)))


async def seed(
    session: AsyncSession,
    *,
    customers: int,
    seed: int = 0,
    settings: SandboxSettings | None = None,
    resellers: int | None = None,
    extent: SeedExtent = "full",
) -> SeedSummary:
    """Add ``customers`` customers (and, on first use, resellers) to the distributor's world."""
    settings = settings or SandboxSettings()
    distributor = await ensure_distributor(session, settings)
    start = int(await session.scalar(select(func.count()).select_from(Customer)) or 0)
    rng = random.Random(f"{seed}:{start}")
    rows = Rows()
    network = await partners.network(session, distributor.tenant_id, as_provider=True)
    usable = [
        partner.tenant_id
        for partner, _link in network
        if partner.mpa_signed and partner.program == Program.INDIRECT_RESELLER.value
    ]
    created_resellers = 0
    if not network:
        created_resellers = (
            resellers if resellers is not None else max(6, min(200, customers // 500))
        )
        taken = set((await session.execute(select(Partner.mpn_id))).scalars())
        usable = add_resellers(rows, rng, distributor.tenant_id, created_resellers, taken)
        add_demo_resellers(rows, distributor.tenant_id, taken)
    in_network = {partner.tenant_id for partner, _link in network} | set(usable)
    demo = tuple(tenant for tenant in DEMO_RESELLER_IDS if tenant in in_network or not network)
    variety = Variety.for_seed(seed, start, demo, related_only=extent == "customers")
    # Millions of short-lived dicts would otherwise trigger full collections over and over.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for offset in range(customers):
            plan = variety.apply(plan_customer(rng, start + offset, usable), start + offset)
            add_customer(rows, rng, plan, distributor.tenant_id, directory=extent == "full")
            if (offset + 1) % CHUNK == 0:
                await rows.flush(session)
        await rows.flush(session)
    finally:
        if collecting:
            gc.enable()
    rows.counts["sign_in_accounts"] += await seed_personal_accounts(session)
    return SeedSummary(customers=customers, resellers=created_resellers, rows=dict(rows.counts))
