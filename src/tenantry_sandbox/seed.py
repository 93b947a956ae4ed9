"""Deterministic demo and test data, inserted in bulk.

``seed(session, customers=N, seed=S)`` gives the distributor a network of indirect resellers (the
first time: some in its network that signed the Microsoft Partner Agreement, one that has not, one
outside its network, one PartnerID that is no CSP reseller) and N customers with company and
billing profiles, initial and custom domains, users, subscribed SKUs, assigned licenses, MCA
attestations and relationships: most served through a reseller, some directly, some with no
relationship yet (existing tenants to link with an invitation).

Rows are built as plain dicts and inserted with executemany in chunks, no ORM object per row, so
100,000 customers take seconds. The same seed on the same starting state yields the same world:
ids come from a random stream seeded with ``seed`` and the number of customers already present.
"""

from __future__ import annotations

import gc
import random
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from tenantry_sandbox import seed_data
from tenantry_sandbox.db import bulk_insert
from tenantry_sandbox.seed_data import City, Country
from tenantry_sandbox.services.accounts import seed_personal_accounts
from tenantry_sandbox.services.bootstrap import ensure_distributor
from tenantry_sandbox.services.provisioning import seeded_rows
from tenantry_sandbox.services.validation import REGISTRATION_COUNTRIES
from tenantry_sandbox.settings import SandboxSettings
from tenantry_sandbox.store import domains, partners
from tenantry_sandbox.store.agreements import MICROSOFT_CUSTOMER_AGREEMENT, CustomerAgreement
from tenantry_sandbox.store.customers import (
    BillingProfile,
    Customer,
    PostalAddress,
    billing_row,
    customer_row,
)
from tenantry_sandbox.store.domains import Domain
from tenantry_sandbox.store.license_catalog import LICENSE_SKUS
from tenantry_sandbox.store.licenses import SubscribedSku, UserLicense
from tenantry_sandbox.store.orders import Order
from tenantry_sandbox.store.partners import NetworkLink, Partner, Program
from tenantry_sandbox.store.relationships import CustomerRelationship, Role, relationship_row
from tenantry_sandbox.store.subscriptions import Subscription
from tenantry_sandbox.store.tenants import Tenant, TenantKind
from tenantry_sandbox.store.users import CustomerUser, user_row

CHUNK = 5_000
INSERT_ORDER: tuple[type[DeclarativeBase], ...] = (
    Tenant,
    Domain,
    Partner,
    NetworkLink,
    Customer,
    BillingProfile,
    CustomerRelationship,
    CustomerUser,
    UserLicense,
    SubscribedSku,
    CustomerAgreement,
    Order,
    Subscription,
)
Relationship = Literal["indirect", "direct", "none"]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@lru_cache(maxsize=4096)
def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass
class Rows:
    """Rows waiting for insertion, per table."""

    tables: dict[type[DeclarativeBase], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, model: type[DeclarativeBase], row: dict[str, Any]) -> None:
        self.tables[model].append(row)

    async def flush(self, session: AsyncSession) -> None:
        connection = await session.connection()
        for model in INSERT_ORDER:
            rows = self.tables.pop(model, [])
            if rows:
                await bulk_insert(connection, model.__table__, rows)  # type: ignore[arg-type]
                self.counts[model.__tablename__] += len(rows)


@dataclass(frozen=True)
class CustomerPlan:
    """One customer to create; the control API builds these from fixtures, the seed at random."""

    company_name: str
    domain_prefix: str
    country: Country
    city: City
    relationship: Relationship = "indirect"
    reseller_tenant_id: uuid.UUID | None = None
    extra_users: int = 1
    skus: tuple[tuple[uuid.UUID, int], ...] = ()
    attested: bool = False
    direct_signed: bool = False
    custom_domain: str | None = None


def plan_customer(
    rng: random.Random, index: int, resellers: list[uuid.UUID], **overrides: Any
) -> CustomerPlan:
    country = rng.choices(seed_data.COUNTRIES, [c.weight for c in seed_data.COUNTRIES])[0]
    stem, sector = rng.choice(seed_data.COMPANY_STEMS), rng.choice(seed_data.COMPANY_SECTORS)
    roll = rng.random()
    relationship: Relationship = "indirect" if roll < 0.7 else "direct" if roll < 0.85 else "none"
    skus = rng.sample(LICENSE_SKUS, rng.choice((1, 1, 2)))
    values: dict[str, Any] = {
        "company_name": f"{stem} {sector} {country.company_suffix}",
        "domain_prefix": f"{_slug(stem + sector)}{index}",
        "country": country,
        "city": rng.choice(country.cities),
        "relationship": relationship if resellers or relationship != "indirect" else "direct",
        "reseller_tenant_id": rng.choice(resellers) if resellers else None,
        "extra_users": rng.choice((0, 0, 1, 1, 2, 3)),
        "skus": tuple((sku.id, rng.randint(1, 25)) for sku in skus),
        "attested": relationship != "none" and rng.random() < 0.6,
        "direct_signed": rng.random() < 0.2,
        "custom_domain": f"{_slug(stem + sector)}{index}.com" if rng.random() < 0.3 else None,
    }
    values.update(overrides)
    return CustomerPlan(**values)


def add_customer(
    rows: Rows, rng: random.Random, plan: CustomerPlan, distributor: uuid.UUID
) -> uuid.UUID:
    """Queue every row of one customer; returns its tenant id."""
    customer_id = _uuid(rng)
    domain = f"{plan.domain_prefix}.onmicrosoft.com"
    first, last = rng.choice(seed_data.FIRST_NAMES), rng.choice(seed_data.LAST_NAMES)
    country = plan.country
    address = PostalAddress(
        country=country.code,
        city=plan.city.name,
        address_line1=f"{rng.randint(1, 999)} {rng.choice(seed_data.STREETS)}",
        postal_code=rng.choice(plan.city.postal_codes),
        state=plan.city.state,
        first_name=first,
        last_name=last,
        phone_number=f"{country.phone_prefix}{rng.randint(200_000_000, 999_999_999)}",
    )
    email = f"{_slug(first)}@{plan.custom_domain or domain}"
    registration = (
        str(rng.randint(10**9, 10**10 - 1)) if country.code in REGISTRATION_COUNTRIES else None
    )

    rows.add(
        Tenant,
        {"id": customer_id, "kind": TenantKind.CUSTOMER.value, "display_name": plan.company_name},
    )
    rows.add(Domain, domains.domain_row(customer_id, domain, initial=True))
    if plan.custom_domain:
        rows.add(Domain, domains.domain_row(customer_id, plan.custom_domain, initial=False))
    rows.add(
        Customer,
        customer_row(
            customer_id,
            commerce_id=_uuid(rng),
            company_name=plan.company_name,
            domain=domain,
            email=email,
            address=address,
            registration_number=registration,
            mca_direct_signed=plan.direct_signed,
        ),
    )
    rows.add(
        BillingProfile,
        billing_row(
            customer_id,
            profile_id=_uuid(rng),
            email=email,
            culture=country.culture,
            language=country.language,
            company_name=plan.company_name,
            address=address,
            etag=str(rng.getrandbits(64) - 2**63),
            first_name=first,
            last_name=last,
        ),
    )
    if plan.relationship != "none":
        rows.add(CustomerRelationship, relationship_row(customer_id, distributor, Role.RESELLER))
    if plan.relationship == "indirect" and plan.reseller_tenant_id is not None:
        rows.add(
            CustomerRelationship,
            relationship_row(
                customer_id,
                plan.reseller_tenant_id,
                Role.INDIRECT_RESELLER,
                provider_tenant_id=distributor,
            ),
        )
    _add_users(rows, rng, plan, customer_id, domain, (first, last), country.code)
    for sku_id, units in plan.skus:  # the subscriptions that provide the seeded licenses
        for model, row in seeded_rows(customer_id, sku_id, units, distributor, country.code):
            rows.add(model, row)
    if plan.attested:
        rows.add(
            CustomerAgreement,
            {
                "id": _uuid(rng),
                "customer_id": customer_id,
                "partner_tenant_id": distributor,
                "template_id": MICROSOFT_CUSTOMER_AGREEMENT.template_id,
                "agreement_type": MICROSOFT_CUSTOMER_AGREEMENT.agreement_type,
                "date_agreed": _agreement_date(rng),
                "contact_first_name": first,
                "contact_last_name": last,
                "contact_email": email,
                "contact_phone_number": address.phone_number,
                "user_id": _uuid(rng),
            },
        )
    return customer_id


def _add_users(
    rows: Rows,
    rng: random.Random,
    plan: CustomerPlan,
    customer_id: uuid.UUID,
    domain: str,
    admin: tuple[str, str],
    country: str,
) -> None:
    people = [admin] + [
        (rng.choice(seed_data.FIRST_NAMES), rng.choice(seed_data.LAST_NAMES))
        for _ in range(plan.extra_users)
    ]
    user_ids = []
    for position, (first, last) in enumerate(people):
        local = "admin" if position == 0 else f"{_slug(first)}.{_slug(last)}{position}"
        user_id = _uuid(rng)
        user_ids.append(user_id)
        rows.add(
            CustomerUser,
            user_row(
                customer_id,
                user_id,
                f"{local}@{domain}",
                first_name=first,
                last_name=last,
                display_name=f"{first} {last}",
                usage_location=country,
            ),
        )
    for sku_id, units in plan.skus:
        rows.add(
            SubscribedSku, {"customer_id": customer_id, "sku_id": sku_id, "active_units": units}
        )
    if plan.skus:
        sku_id, units = plan.skus[0]
        for user_id in user_ids[:units]:
            rows.add(
                UserLicense, {"user_id": user_id, "sku_id": sku_id, "customer_id": customer_id}
            )


def _agreement_date(rng: random.Random) -> datetime:
    """A plausible acceptance date in 2023-2025 (deterministic given the stream)."""
    return datetime(2023, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 3 * 365))


# (program, signed the MPA, in the distributor's network) of the first resellers, so every
# answer of the MPA status check has a PartnerID; later resellers are mostly the first kind.
RESELLER_KINDS = (
    (Program.INDIRECT_RESELLER, True, True),
    (Program.INDIRECT_RESELLER, False, True),
    (Program.INDIRECT_RESELLER, True, False),
    (Program.NONE, False, False),
)


def _reseller_kind(rng: random.Random, index: int) -> tuple[Program, bool, bool]:
    if index < len(RESELLER_KINDS):
        return RESELLER_KINDS[index]
    roll = rng.random()
    return (
        RESELLER_KINDS[0] if roll < 0.8 else RESELLER_KINDS[1] if roll < 0.9 else RESELLER_KINDS[2]
    )


def add_resellers(
    rows: Rows, rng: random.Random, distributor: uuid.UUID, count: int, taken_mpn_ids: set[str]
) -> list[uuid.UUID]:
    """Queue ``count`` resellers; returns those a customer can be served through."""
    usable = []
    for index in range(count):
        program, signed, in_network = _reseller_kind(rng, index)
        tenant_id = _uuid(rng)
        names = seed_data.RESELLER_NAMES
        name = names[index % len(names)] + (
            f" {index // len(names) + 1}" if index >= len(names) else ""
        )
        mpn_id = str(rng.randint(4_000_000, 9_999_999))
        while mpn_id in taken_mpn_ids:
            mpn_id = str(int(mpn_id) + 1)
        taken_mpn_ids.add(mpn_id)
        rows.add(Tenant, {"id": tenant_id, "kind": TenantKind.PARTNER.value, "display_name": name})
        domain = f"{_slug(name)}{mpn_id}.onmicrosoft.com"
        rows.add(Domain, domains.domain_row(tenant_id, domain, initial=True))
        location = rng.choice(seed_data.COUNTRIES).code
        rows.add(
            Partner,
            {
                "tenant_id": tenant_id,
                "mpn_id": mpn_id,
                "name": name,
                "location": location,
                "program": program.value,
                "mpa_signed": signed,
            },
        )
        if in_network:
            rows.add(
                NetworkLink, {"provider_tenant_id": distributor, "reseller_tenant_id": tenant_id}
            )
        if in_network and signed:
            usable.append(tenant_id)
    return usable


@dataclass(frozen=True)
class SeedSummary:
    customers: int
    resellers: int
    rows: dict[str, int]


async def seed(
    session: AsyncSession,
    *,
    customers: int,
    seed: int = 0,
    settings: SandboxSettings | None = None,
    resellers: int | None = None,
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
    # Millions of short-lived dicts would otherwise trigger full collections over and over.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for offset in range(customers):
            plan = plan_customer(rng, start + offset, usable)
            add_customer(rows, rng, plan, distributor.tenant_id)
            if (offset + 1) % CHUNK == 0:
                await rows.flush(session)
        await rows.flush(session)
    finally:
        if collecting:
            gc.enable()
    rows.counts["sign_in_accounts"] += await seed_personal_accounts(session)
    return SeedSummary(customers=customers, resellers=created_resellers, rows=dict(rows.counts))
