"""Seeded indirect resellers of the distributor: the first few cover every answer of the MPA
status check, later ones are mostly signed resellers in the distributor's network."""

from __future__ import annotations

import random
import uuid

from tenantry_sandbox import seed_data
from tenantry_sandbox.seed_rows import Rows, random_uuid, slug
from tenantry_sandbox.store import domains
from tenantry_sandbox.store.domains import Domain
from tenantry_sandbox.store.partners import NetworkLink, Partner, Program
from tenantry_sandbox.store.tenants import Tenant, TenantKind

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
        tenant_id = random_uuid(rng)
        names = seed_data.RESELLER_NAMES
        name = names[index % len(names)] + (
            f" {index // len(names) + 1}" if index >= len(names) else ""
        )
        mpn_id = str(rng.randint(4_000_000, 9_999_999))
        while mpn_id in taken_mpn_ids:
            mpn_id = str(int(mpn_id) + 1)
        taken_mpn_ids.add(mpn_id)
        rows.add(Tenant, {"id": tenant_id, "kind": TenantKind.PARTNER.value, "display_name": name})
        domain = f"{slug(name)}{mpn_id}.onmicrosoft.com"
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


def add_demo_resellers(rows: Rows, distributor: uuid.UUID, taken_mpn_ids: set[str]) -> None:
    """Queue the Tenantry demo's resellers (``seed_data.DEMO_RESELLERS``), signed and in the
    distributor's network, unless their PartnerIDs exist already."""
    for mpn_id, tenant, name, location in seed_data.DEMO_RESELLERS:
        if mpn_id in taken_mpn_ids:
            continue
        taken_mpn_ids.add(mpn_id)
        tenant_id = uuid.UUID(tenant)
        rows.add(Tenant, {"id": tenant_id, "kind": TenantKind.PARTNER.value, "display_name": name})
        domain = f"{slug(name)}{mpn_id}.onmicrosoft.com"
        rows.add(Domain, domains.domain_row(tenant_id, domain, initial=True))
        rows.add(
            Partner,
            {
                "tenant_id": tenant_id,
                "mpn_id": mpn_id,
                "name": name,
                "location": location,
                "program": Program.INDIRECT_RESELLER.value,
                "mpa_signed": True,
            },
        )
        rows.add(NetworkLink, {"provider_tenant_id": distributor, "reseller_tenant_id": tenant_id})
