"""Loading the demo data through the same services the API uses.

Each organization is created by the person who would create it (resellers by the distributor's
admin, customers by their reseller, pending ones by reseller staff), so the audit trail reads like a
real history. Everything happens in one transaction: either all of it exists or none of it, which is
what makes a second run safe.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.bootstrap import DEFAULT_CURRENCIES, create_platform
from tenantry.db import Database
from tenantry.demo import catalog, data, platform_agreements
from tenantry.demo.agreements import load_agreements
from tenantry.demo.data import DemoOrganization
from tenantry.identity.service import add_membership, create_user, find_user
from tenantry.models import LinkMethod, Organization, PlatformModel, Role, User, utcnow
from tenantry.organizations import lifecycle, service
from tenantry.organizations import platform as platform_service
from tenantry.organizations.lifecycle import Transition
from tenantry.organizations.schemas import (
    CustomPropertyCreate,
    OrganizationCreate,
    SegmentCreate,
)
from tenantry.security import Actor
from tenantry.sync.matching import find_duplicate_organizations
from tenantry.tenants.linking import TenantFacts, link_tenant

ADMIN_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.RESELLER_ADMIN, Role.CUSTOMER_ADMIN})


@dataclass(frozen=True)
class LoadResult:
    created: bool
    resellers: int = 0
    customers: int = 0
    logins: int = 0


def person_actor(user: User, organization: Organization, role: Role) -> Actor:
    """The actor a signed-in person is, labelled as sign-in labels them in the audit trail."""
    return Actor(
        platform_id=organization.platform_id,
        organization_id=organization.id,
        organization_kind=organization.kind,
        role=role,
        label=f"{user.full_name} <{user.email}>",
        user_id=user.id,
    )


async def is_loaded(session: AsyncSession) -> bool:
    return await find_user(session, data.LOGINS[0].email) is not None


async def loaded(database: Database) -> bool:
    async with database.transaction(write=False) as session:
        return await is_loaded(session)


async def load(database: Database) -> LoadResult:
    """Create the demo data unless it exists already (then change nothing)."""
    async with database.transaction() as session:
        if await is_loaded(session):
            return LoadResult(created=False)
        loader = _Loader(session)
        await loader.run()
    await database.analyze()
    return LoadResult(
        created=True,
        resellers=len(data.RESELLERS),
        customers=len(data.CUSTOMERS) + len(data.DUPLICATES),
        logins=len(data.LOGINS),
    )


@dataclass
class _Loader:
    session: AsyncSession
    organizations: dict[str, Organization] = field(default_factory=dict)
    # Per organization key: its admin, and the person who records new (pending) customers.
    admins: dict[str, Actor] = field(default_factory=dict)
    staff: dict[str, Actor] = field(default_factory=dict)
    segment_ids: dict[str, uuid.UUID] = field(default_factory=dict)

    async def run(self) -> None:
        platform = await create_platform(
            self.session,
            legal_name=data.PLATFORM_NAME,
            model=PlatformModel.INDIRECT_PROVIDER,
            country="DK",
            city="Copenhagen",
            address_line1="Strandboulevarden 120",
            postal_code="2100",
            contact_name="Nadia Holm",
            contact_email=f"nadia@{data.PLATFORM_DOMAIN}",
            currency="EUR",
            mpn_id=data.PLATFORM_MPN_ID,
            tenant_id=data.PLATFORM_TENANT_ID,
            domain=data.PLATFORM_DOMAIN,
        )
        self.organizations["platform"] = platform
        await self._people("platform", added_by=None)
        admin = self.admins["platform"]
        for name, description in data.SEGMENTS.items():
            segment = await platform_service.create_segment(
                self.session, admin, SegmentCreate(name=name, description=description)
            )
            self.segment_ids[name] = segment.id
        key, label = data.CUSTOM_PROPERTY
        await platform_service.create_custom_property(
            self.session, admin, CustomPropertyCreate(key=key, label=label)
        )
        for reseller in data.RESELLERS:
            await self._organization(reseller, "reseller", admin)
            await self._people(reseller.key, added_by=admin)
        resellers = {r.key: self.organizations[r.key].id for r in data.RESELLERS}
        await catalog.load(
            self.session, admin, DEFAULT_CURRENCIES, dict(self.segment_ids), dict(resellers)
        )
        for customer in data.CUSTOMERS:
            seller = customer.reseller or "platform"
            creator = (
                self.staff.get(seller, self.admins[seller])
                if customer.status == "pending"
                else self.admins[seller]
            )
            organization = await self._organization(customer, "customer", creator)
            if customer.status == "blocked":
                await lifecycle.change_status(
                    self.session,
                    creator,
                    organization.id,
                    Transition.BLOCK,
                    reason=customer.status_reason,
                )
            await self._people(customer.key, added_by=creator)
        await self._tenants()
        await load_agreements(self.session, self.organizations, self.admins["platform"])
        await self._duplicates()
        await platform_agreements.load(self.session, admin, self.admins, self.organizations)

    async def _duplicates(self) -> None:
        """Second records made by hand (their seller confirms the warning), then listed as
        matches to merge, as staff would find them with "Look for duplicate organizations"."""
        for item in data.DUPLICATES:
            seller = item.reseller or "platform"
            await self._organization(item, "customer", self.admins[seller], confirm=True)
        await find_duplicate_organizations(self.session, self.admins["platform"])

    async def _tenants(self) -> None:
        """The linked demo tenants are linked, entered by their reseller's admin."""
        for tenant in data.TENANTS:
            if not tenant.linked:
                continue
            item = next(c for c in data.CUSTOMERS if c.key == tenant.organization)
            seller = item.reseller or "platform"
            facts = TenantFacts(
                tenant.tenant_id,
                company_name=item.legal_name,
                initial_domain=tenant.initial_domain,
                default_domain=tenant.custom_domain,
                verified_domains=[tenant.initial_domain, tenant.custom_domain],
                relationship="indirect" if item.reseller else "direct",
                reseller_id=self.organizations[seller].id if item.reseller else None,
            )
            await link_tenant(
                self.session,
                self.admins[seller],
                self.organizations[tenant.organization],
                facts,
                LinkMethod.ENTERED,
            )

    async def _organization(
        self, item: DemoOrganization, kind: str, actor: Actor, *, confirm: bool = False
    ) -> Organization:
        properties: dict[str, str] = {}
        if kind == "customer":
            seller = item.reseller or "platform"
            account_manager = next(
                login.name for login in data.LOGINS if login.organization == seller
            )
            properties[data.CUSTOM_PROPERTY[0]] = account_manager
        payload = OrganizationCreate.model_validate(
            {
                "kind": kind,
                "legal_name": item.legal_name,
                "vat_id": item.vat_id,
                "domain": item.domain,
                "industry": item.industry,
                "address": {
                    "line1": item.line1,
                    "city": item.city,
                    "region": item.region,
                    "postal_code": item.postal_code,
                    "country": item.country,
                },
                "primary_contact": {
                    "name": item.contact,
                    "email": item.contact_email,
                    "phone": item.phone,
                },
                "preferred_currency": item.currency,
                "segment_ids": [self.segment_ids[item.segment]] if item.segment else [],
                "custom_properties": properties,
                "mpn_id": item.mpn_id,
                "approve": item.status != "pending",
                "confirm_duplicate": confirm,
            }
        )
        organization = await service.create(self.session, actor, payload)
        if item.mpn_id in data.RESELLER_TENANT_IDS:  # as the sandbox's seed has them
            organization.tenant_id = data.RESELLER_TENANT_IDS[item.mpn_id]
            organization.mpn_status, organization.mpn_checked_at = "valid", utcnow()
        self.organizations[item.key] = organization
        return organization

    async def _people(self, key: str, *, added_by: Actor | None) -> None:
        organization = self.organizations[key]
        for login in data.LOGINS:
            if login.organization != key:
                continue
            user = await create_user(
                self.session,
                email=login.email,
                full_name=login.name,
                password=data.DEMO_PASSWORD,
                verified=True,
            )
            await add_membership(self.session, added_by, user, organization, login.role)
            actor = person_actor(user, organization, login.role)
            if login.role in ADMIN_ROLES:
                self.admins.setdefault(key, actor)
            else:
                self.staff.setdefault(key, actor)
