"""What Partner Center lists of a customer or reseller, kept in ``partner_center_accounts``.

A listing's fields are hashed into a fingerprint: an account whose fingerprint, reseller and
audit records say nothing changed is not read again (no billing profile, no subscriptions),
which is what makes a no-change re-sync cost only the list pages.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import Organization, PartnerCenterAccount, PartnerCenterAccountKind
from tenantry.partnercenter.models.customers import BillingProfile, Customer, PartnerRelationship

CUSTOMER = PartnerCenterAccountKind.CUSTOMER
RESELLER = PartnerCenterAccountKind.RESELLER
# The bill-to an order needs (docs/sync.md); what is empty is listed on the account.
REQUIRED_BILLING = {
    "companyName": ("companyName",),
    "email": ("email",),
    "firstName": ("firstName",),
    "lastName": ("lastName",),
    "addressLine1": ("defaultAddress", "addressLine1"),
    "city": ("defaultAddress", "city"),
    "country": ("defaultAddress", "country"),
}


def tenant_of(customer: Customer) -> uuid.UUID | None:
    """The customer's tenant id (its ``id``, else ``companyProfile.tenantId``), None if neither
    is a UUID."""
    for value in (
        customer.id,
        customer.company_profile.tenant_id if customer.company_profile else None,
    ):
        try:
            return uuid.UUID(str(value))
        except ValueError:
            continue
    return None


def fingerprint(values: dict[str, Any]) -> str:
    text = json.dumps(
        values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Listed:
    """One customer as a list page showed it."""

    tenant_id: uuid.UUID
    company_name: str
    initial_domain: str | None
    relationship: str | None

    @classmethod
    def of(cls, customer: Customer) -> Listed | None:
        tenant_id = tenant_of(customer)
        if tenant_id is None:
            return None
        profile = customer.company_profile
        name = (profile.company_name if profile else None) or ""
        return cls(
            tenant_id=tenant_id,
            company_name=name.strip()[:400] or str(tenant_id),
            initial_domain=((profile.domain if profile else None) or None),
            relationship=customer.relationship_to_partner,
        )

    @property
    def fingerprint(self) -> str:
        return fingerprint(
            {
                "name": self.company_name,
                "domain": self.initial_domain,
                "relationship": self.relationship,
            }
        )


def billing_of(profile: BillingProfile) -> dict[str, Any]:
    return profile.to_wire()


def missing_billing(billing: dict[str, Any] | None) -> list[str]:
    """The bill-to fields an order needs that the profile leaves empty."""
    missing = []
    for name, path in REQUIRED_BILLING.items():
        value: Any = billing or {}
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if not (isinstance(value, str) and value.strip()):
            missing.append(name)
    return missing


async def accounts_by_tenant(
    session: AsyncSession,
    platform_id: uuid.UUID,
    kind: PartnerCenterAccountKind,
    tenant_ids: Iterable[uuid.UUID],
) -> dict[uuid.UUID, PartnerCenterAccount]:
    wanted = sorted(set(tenant_ids), key=str)
    if not wanted:
        return {}
    rows = await session.scalars(
        select(PartnerCenterAccount).where(
            PartnerCenterAccount.platform_id == platform_id,
            PartnerCenterAccount.kind == kind,
            PartnerCenterAccount.tenant_id.in_(wanted),
        )
    )
    return {account.tenant_id: account for account in rows}


async def holders(
    session: AsyncSession, platform_id: uuid.UUID, tenant_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """tenant id -> the organization of the platform holding it."""
    wanted = sorted(set(tenant_ids), key=str)
    if not wanted:
        return {}
    rows = await session.execute(
        select(Organization.tenant_id, Organization.id).where(
            Organization.platform_id == platform_id, Organization.tenant_id.in_(wanted)
        )
    )
    return {tenant: organization for tenant, organization in rows if tenant is not None}


@dataclass
class Upserted:
    account: PartnerCenterAccount
    # First time this run saw it (a listing restarted after a refused token sees it again).
    first_in_run: bool
    # Needs its details read (new, changed, named by the audit records, or failed before).
    needs_details: bool


async def upsert_customers(
    session: AsyncSession,
    *,
    platform_id: uuid.UUID,
    run_id: uuid.UUID,
    customers: Sequence[Customer],
    now: datetime,
    refresh: frozenset[str] = frozenset(),
    reseller_tenant_id: uuid.UUID | None = None,
    force: bool = False,
) -> list[Upserted]:
    """Record one list page: new accounts are added, changed ones marked for their details."""
    listed = {item.tenant_id: item for c in customers if (item := Listed.of(c)) is not None}
    existing = await accounts_by_tenant(session, platform_id, CUSTOMER, listed)
    held = await holders(session, platform_id, listed)
    result = []
    for tenant_id, item in listed.items():
        account = existing.get(tenant_id)
        if account is None:
            account = PartnerCenterAccount(
                platform_id=platform_id,
                kind=CUSTOMER,
                tenant_id=tenant_id,
                company_name=item.company_name,
                domains=[],
                billing_missing=[],
                first_seen_at=now,
                last_seen_at=now,
            )
            session.add(account)
        first = account.last_run_id != run_id
        changed = (
            force
            or account.fingerprint != item.fingerprint
            or str(tenant_id) in refresh
            or account.organization_id != held.get(tenant_id)
            or account.gone_at is not None
            or (reseller_tenant_id is not None and account.reseller_tenant_id != reseller_tenant_id)
        )
        account.company_name = item.company_name
        account.initial_domain = item.initial_domain
        if item.initial_domain and item.initial_domain not in (account.domains or []):
            account.domains = sorted({*(account.domains or []), item.initial_domain})
        account.relationship = item.relationship
        if reseller_tenant_id is not None:
            account.reseller_tenant_id = reseller_tenant_id
        account.fingerprint = item.fingerprint
        account.organization_id = held.get(tenant_id)
        account.last_seen_at = now
        account.gone_at = None
        account.last_run_id = run_id
        if changed and first:
            account.last_changed_at = now
        result.append(Upserted(account, first, changed and first))
    await session.flush()
    return result


async def upsert_resellers(
    session: AsyncSession,
    *,
    platform_id: uuid.UUID,
    run_id: uuid.UUID,
    resellers: Sequence[PartnerRelationship],
    now: datetime,
) -> list[PartnerCenterAccount]:
    parsed: dict[uuid.UUID, PartnerRelationship] = {}
    for reseller in resellers:
        try:
            parsed[uuid.UUID(reseller.id)] = reseller
        except ValueError:
            continue
    existing = await accounts_by_tenant(session, platform_id, RESELLER, parsed)
    accounts = []
    for tenant_id, reseller in parsed.items():
        account = existing.get(tenant_id)
        if account is None:
            account = PartnerCenterAccount(
                platform_id=platform_id, kind=RESELLER, tenant_id=tenant_id, company_name="",
                domains=[], billing_missing=[], first_seen_at=now, last_seen_at=now,
            )  # fmt: skip
            session.add(account)
        listed = {"name": reseller.name, "mpn": reseller.mpn_id, "state": reseller.state}
        if account.fingerprint != fingerprint(listed):
            account.last_changed_at = now
        account.fingerprint = fingerprint(listed)
        account.company_name = (reseller.name or "").strip()[:400] or str(tenant_id)
        account.mpn_id = (reseller.mpn_id or None) and str(reseller.mpn_id)[:16]
        account.relationship = (reseller.state or None) and str(reseller.state)[:32]
        account.last_seen_at = now
        account.gone_at = None
        account.last_run_id = run_id
        accounts.append(account)
    await session.flush()
    return accounts
