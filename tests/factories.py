"""Plain factory functions with keyword defaults (they write straight to the database)."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.bootstrap import create_platform
from tenantry.db import Database
from tenantry.identity.service import add_membership, create_user, issue_api_token
from tenantry.models import Organization, OrganizationKind, OrganizationStatus, Role, User, utcnow
from tenantry.security import Actor

_counter = itertools.count(1)


def address(country: str = "DK", **overrides: Any) -> dict[str, Any]:
    base = {"line1": "Nørregade 1", "city": "Copenhagen", "postal_code": "1165", "country": country}
    return base | overrides


def contact(**overrides: Any) -> dict[str, Any]:
    return {"name": "Ada Admin", "email": "ada@example.com", "phone": "+4533123456"} | overrides


def danish_vat_id(n: int) -> str:
    """A valid Danish VAT ID of its own for each ``n`` (its CVR number's weighted sum is a
    multiple of 11), so organizations made in one test are not taken for duplicates."""
    for base in (1_000_000 + n, 5_000_000 + n):  # one of the two has a check digit below 10
        digits = [int(d) for d in str(base)]
        check = -sum(w * d for w, d in zip((2, 7, 6, 5, 4, 3, 2), digits, strict=True)) % 11
        if check < 10:
            return f"DK{base}{check}"
    raise AssertionError(f"no CVR number for {n}")


def organization_payload(**overrides: Any) -> dict[str, Any]:
    """A valid create request (a customer in Denmark) to tweak per test."""
    n = next(_counter)
    return {
        "kind": "customer",
        "legal_name": f"Contoso {n} ApS",
        "vat_id": danish_vat_id(n),
        "domain": f"contoso{n}.example",
        "industry": "retail",
        "address": address(),
        "primary_contact": contact(),
        "preferred_currency": "EUR",
    } | overrides


async def make_organization(
    session: AsyncSession,
    platform: Organization,
    *,
    kind: OrganizationKind = OrganizationKind.CUSTOMER,
    parent: Organization | None = None,
    status: OrganizationStatus = OrganizationStatus.ACTIVE,
    legal_name: str | None = None,
    **overrides: Any,
) -> Organization:
    n = next(_counter)
    # Resellers' MPN IDs passed the check unless a test says otherwise (checkout needs it).
    overrides.setdefault("mpn_status", "valid" if kind is OrganizationKind.RESELLER else None)
    organization = Organization(
        kind=kind,
        platform_id=platform.id,
        parent_id=(parent or platform).id,
        status=status,
        legal_name=legal_name or f"Organization {n} Ltd",
        display_name=legal_name or f"Organization {n}",
        address_line1="High Street 1",
        address_city="Copenhagen",
        address_postal_code="1000",
        address_country="DK",
        contact_name="Contact Person",
        contact_email=f"contact{n}@example.com",
        preferred_currency="EUR",
        custom_properties={},
        mpn_id=str(1000000 + n) if kind is OrganizationKind.RESELLER else None,
        approved_at=utcnow() if status is OrganizationStatus.ACTIVE else None,
        **overrides,
    )
    session.add(organization)
    await session.flush()
    return organization


async def make_user(
    session: AsyncSession,
    organization: Organization,
    role: Role,
    *,
    password: str = "correct horse battery staple",
) -> User:
    n = next(_counter)
    user = await create_user(
        session,
        email=f"user{n}@example.com",
        full_name=f"User {n}",
        password=password,
        verified=True,
    )
    await add_membership(session, None, user, organization, role)
    return user


async def make_token(session: AsyncSession, organization: Organization, role: Role) -> str:
    _, secret = await issue_api_token(
        session, None, organization, role=role, name="tests", valid_for=timedelta(days=1)
    )
    return secret


ADMIN_ROLES = {
    OrganizationKind.PLATFORM: Role.PLATFORM_ADMIN,
    OrganizationKind.RESELLER: Role.RESELLER_ADMIN,
    OrganizationKind.CUSTOMER: Role.CUSTOMER_ADMIN,
}


@dataclass
class Party:
    organization: Organization
    token: str

    @property
    def id(self) -> uuid.UUID:
        return self.organization.id

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def actor(self) -> Actor:
        """The organization's admin, as a service sees the caller."""
        organization = self.organization
        return Actor(
            platform_id=organization.platform_id, organization_id=organization.id,
            organization_kind=organization.kind, role=ADMIN_ROLES[organization.kind],
            label=f"Admin of {organization.display_name}",
        )  # fmt: skip


@dataclass
class World:
    """A platform with two resellers, each with a customer, and an admin token for each."""

    platform: Party
    reseller_a: Party
    reseller_b: Party
    customer_a: Party
    customer_b: Party
    direct_customer: Party
    extra: dict[str, Party] = field(default_factory=dict)


async def make_world(database: Database) -> World:
    async with database.transaction() as session:
        platform = await create_platform(
            session, legal_name="Northwind Distribution A/S", mpn_id="1234567"
        )
        reseller_a = await make_organization(
            session, platform, kind=OrganizationKind.RESELLER, legal_name="Alpha Reseller"
        )
        reseller_b = await make_organization(
            session, platform, kind=OrganizationKind.RESELLER, legal_name="Beta Reseller"
        )
        customer_a = await make_organization(
            session, platform, parent=reseller_a, legal_name="Alpha Customer"
        )
        customer_b = await make_organization(
            session, platform, parent=reseller_b, legal_name="Beta Customer"
        )
        direct = await make_organization(session, platform, legal_name="Direct Customer")
        # The store sells from the catalog tables: the sandbox's catalog and the demo prices.
        from tests.orders.catalog_factories import seed_catalog

        await seed_catalog(session, platform.id)
        return World(
            platform=Party(platform, await make_token(session, platform, Role.PLATFORM_ADMIN)),
            reseller_a=Party(
                reseller_a, await make_token(session, reseller_a, Role.RESELLER_ADMIN)
            ),
            reseller_b=Party(
                reseller_b, await make_token(session, reseller_b, Role.RESELLER_ADMIN)
            ),
            customer_a=Party(
                customer_a, await make_token(session, customer_a, Role.CUSTOMER_ADMIN)
            ),
            customer_b=Party(
                customer_b, await make_token(session, customer_b, Role.CUSTOMER_ADMIN)
            ),
            direct_customer=Party(direct, await make_token(session, direct, Role.CUSTOMER_ADMIN)),
        )


async def give_tenant(session: AsyncSession, organization: Organization) -> uuid.UUID:
    """Link a made-up Microsoft tenant to ``organization``: its Service Details step is done."""
    from tenantry.models import LinkMethod
    from tenantry.tenants.linking import TenantFacts, link_tenant

    tenant_id = uuid.uuid4()
    facts = TenantFacts(tenant_id, initial_domain=f"t{tenant_id.hex[:12]}.onmicrosoft.com")
    await link_tenant(session, None, organization, facts, LinkMethod.ENTERED)
    return tenant_id
