"""The sandbox side of Tenantry's demo data (``tenantry demo load``, ``make run``).

Tenantry's demo resellers in the distributor's network with the same MPN IDs (signed the Microsoft
Partner Agreement), and two customers' Microsoft tenants:

- Tailspin Toys ApS: an existing tenant with no relationship yet, a prospect whose Global
  Administrator (``admin@tailspintoys.onmicrosoft.com``) accepts Fabrikam's authorization link in
  the admin center;
- Contoso Retail A/S: a tenant already served by the distributor through Fabrikam, the one
  Tenantry's demo holds as linked;
- Alpine Ski House A/S: served through Fabrikam, held by no organization: the sync proposes it
  as a match for Tenantry's Alpine Ski House ApS (a demo duplicate to link).

Tailspin's and Contoso's directories also hold more people, licenses bought from another
provider and (Contoso) a trial of the distributor's: see ``seed_demo_directory``.

Deterministic (fixed ids and a random stream of its own) and idempotent: whatever exists already,
by MPN ID or by initial domain, is left alone. ``tenantry.demo.data`` names the same values; a
test keeps the two in step.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox.seed_customers import CustomerPlan, add_customer
from tenantry_sandbox.seed_data import City, Country
from tenantry_sandbox.seed_demo_directory import add_demo_directories
from tenantry_sandbox.seed_rows import Rows
from tenantry_sandbox.store import domains
from tenantry_sandbox.store.agreements import MICROSOFT_CUSTOMER_AGREEMENT, CustomerAgreement
from tenantry_sandbox.store.domains import Domain
from tenantry_sandbox.store.partners import NetworkLink, Partner, Program
from tenantry_sandbox.store.tenants import Tenant, TenantKind

_NAMESPACE = uuid.UUID("0f6d7f43-3c5e-4b8e-9a53-1d2c6b3f7a20")


@dataclass(frozen=True)
class DemoReseller:
    name: str
    mpn_id: str
    country: str
    domain_prefix: str

    @property
    def tenant_id(self) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"reseller:{self.mpn_id}")


@dataclass(frozen=True)
class DemoTenant:
    company_name: str
    domain_prefix: str
    custom_domain: str
    reseller_mpn_id: str | None  # None: no relationship yet (a prospect to link)
    # The customer signed the Microsoft Customer Agreement in the admin center itself.
    direct_signed: bool = False

    @property
    def initial_domain(self) -> str:
        return f"{self.domain_prefix}.onmicrosoft.com"

    @property
    def global_admin(self) -> str:
        """The tenant's first user, its Global Administrator (see services.accounts)."""
        return f"admin@{self.initial_domain}"


DEMO_RESELLERS = (
    DemoReseller("Fabrikam Cloud Partners ApS", "5120431", "DK", "fabrikamcloud"),
    DemoReseller("Litware Solutions AB", "5120432", "SE", "litwaresolutions"),
    DemoReseller("Adatum IT Services Ltd", "5120433", "GB", "adatumit"),
)
TAILSPIN = DemoTenant("Tailspin Toys ApS", "tailspintoys", "tailspintoys.example", None)
CONTOSO = DemoTenant("Contoso Retail A/S", "contosoretail", "contoso.example", "5120431")
# Tenantry's demo has "Alpine Ski House ApS" without a tenant: the sync proposes this customer
# for it (same domain, the name without its legal form) instead of creating a second one.
ALPINE = DemoTenant("Alpine Ski House A/S", "alpineskihouse", "alpineskihouse.example", "5120431")
# Signed the Microsoft Customer Agreement in the admin center; Fourth Coffee has not accepted it.
WOODGROVE = DemoTenant(
    "Woodgrove Bank A/S", "woodgrovebank", "woodgrovebank.example", "5120431", direct_signed=True
)
FOURTH_COFFEE = DemoTenant("Fourth Coffee GmbH", "fourthcoffee", "fourthcoffee.example", "5120431")
DEMO_TENANTS = (TAILSPIN, CONTOSO, ALPINE, WOODGROVE, FOURTH_COFFEE)
# Contoso's acceptance, attested by the distributor's admin (Tenantry's demo keeps the evidence).
CONTOSO_ACCEPTANCE = {
    "first_name": "Carla", "last_name": "Nielsen", "email": "carla@contoso.example",
    "phone": "+4533123456", "date_agreed": datetime(2025, 3, 14, tzinfo=UTC),
}  # fmt: skip
_DENMARK = Country("DK", "ApS", "da-DK", "da", "+45", (City("Odense", None, ("5000",)),), 0)


async def add_demo_tenants(session: AsyncSession, distributor: uuid.UUID) -> dict[str, uuid.UUID]:
    """Add what is missing; returns each demo tenant's id by initial domain."""
    rows = Rows()
    taken = set((await session.execute(select(Partner.mpn_id))).scalars())
    resellers: dict[str, uuid.UUID] = {}
    for reseller in DEMO_RESELLERS:
        if reseller.mpn_id in taken:
            found = await session.scalar(
                select(Partner.tenant_id).where(Partner.mpn_id == reseller.mpn_id)
            )
            assert found is not None
            resellers[reseller.mpn_id] = found
            continue
        _add_reseller(rows, reseller, distributor)
        resellers[reseller.mpn_id] = reseller.tenant_id
    ids: dict[str, uuid.UUID] = {}
    for tenant in DEMO_TENANTS:
        existing = await session.get(Domain, tenant.initial_domain)
        if existing is not None:
            ids[tenant.initial_domain] = existing.tenant_id
            continue
        plan = CustomerPlan(
            company_name=tenant.company_name,
            domain_prefix=tenant.domain_prefix,
            country=_DENMARK,
            city=_DENMARK.cities[0],
            relationship="indirect" if tenant.reseller_mpn_id else "none",
            reseller_tenant_id=resellers[tenant.reseller_mpn_id]
            if tenant.reseller_mpn_id
            else None,
            extra_users=2,
            custom_domain=tenant.custom_domain,
            direct_signed=tenant.direct_signed,
        )
        rng = random.Random(f"tenantry-demo:{tenant.domain_prefix}")
        ids[tenant.initial_domain] = add_customer(rows, rng, plan, distributor)
        if tenant is CONTOSO:
            _add_contoso_acceptance(rows, ids[tenant.initial_domain], distributor)
    await rows.flush(session)
    await add_demo_directories(session, ids, distributor)
    return ids


def _add_contoso_acceptance(rows: Rows, customer: uuid.UUID, distributor: uuid.UUID) -> None:
    accepted = CONTOSO_ACCEPTANCE
    rows.add(
        CustomerAgreement,
        {
            "id": uuid.uuid5(_NAMESPACE, "agreement:contoso"), "customer_id": customer,
            "partner_tenant_id": distributor,
            "template_id": MICROSOFT_CUSTOMER_AGREEMENT.template_id,
            "agreement_type": MICROSOFT_CUSTOMER_AGREEMENT.agreement_type,
            "date_agreed": accepted["date_agreed"], "contact_first_name": accepted["first_name"],
            "contact_last_name": accepted["last_name"], "contact_email": accepted["email"],
            "contact_phone_number": accepted["phone"],
            "user_id": uuid.uuid5(_NAMESPACE, "user:nadia"),
        },
    )  # fmt: skip


def _add_reseller(rows: Rows, reseller: DemoReseller, distributor: uuid.UUID) -> None:
    tenant_id = reseller.tenant_id
    rows.add(
        Tenant, {"id": tenant_id, "kind": TenantKind.PARTNER.value, "display_name": reseller.name}
    )
    domain = f"{reseller.domain_prefix}.onmicrosoft.com"
    rows.add(Domain, domains.domain_row(tenant_id, domain, initial=True))
    rows.add(
        Partner,
        {
            "tenant_id": tenant_id,
            "mpn_id": reseller.mpn_id,
            "name": reseller.name,
            "location": reseller.country,
            "program": Program.INDIRECT_RESELLER.value,
            "mpa_signed": True,
        },
    )
    rows.add(NetworkLink, {"provider_tenant_id": distributor, "reseller_tenant_id": tenant_id})
