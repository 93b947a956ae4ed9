"""Organizations for Partner Center accounts: created, linked, or left to a match proposal.

The tenant ID is the key. Creating goes through :func:`tenantry.tenants.linking.link_tenant`
inside a savepoint: when a registration or a link of the same tenant wins the race (the unique
``organizations(platform_id, tenant_id)``), the new organization is rolled back and the account
is attached to the one that holds the tenant, so every race ends in one organization. A batch
of the details phase adds its organizations without a savepoint each (:func:`add_customer`) and
falls back to :func:`create_customer` when its flush meets that constraint.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.models import (
    LinkMethod,
    Organization,
    OrganizationKind,
    OrganizationSource,
    OrganizationStatus,
    PartnerCenterAccount,
    SyncChange,
)
from tenantry.organizations.tenant_check import TenantHeldElsewhere, holder_of
from tenantry.tenants.linking import TenantFacts, link_new_organization, link_tenant

ACTOR_LABEL = "Partner Center sync"


def _text(value: Any, length: int) -> str:
    return (value.strip() if isinstance(value, str) else "")[:length]


def _profile_fields(account: PartnerCenterAccount, platform: Organization) -> dict[str, Any]:
    """Organization fields from the billing profile, the platform's where Partner Center has none."""
    billing = account.billing_profile or {}
    address = billing.get("defaultAddress") or {}
    name = _text(billing.get("companyName"), 200) or _text(account.company_name, 200)
    person = " ".join(
        p for p in (_text(billing.get("firstName"), 100), _text(billing.get("lastName"), 100)) if p
    )
    country = _text(address.get("country"), 2).upper()
    return {
        "legal_name": name,
        "display_name": name,
        "address_line1": _text(address.get("addressLine1"), 200),
        "address_line2": _text(address.get("addressLine2"), 200) or None,
        "address_city": _text(address.get("city"), 100),
        "address_region": _text(address.get("state") or address.get("region"), 100) or None,
        "address_postal_code": _text(address.get("postalCode"), 20) or None,
        "address_country": country if len(country) == 2 else platform.address_country,
        "contact_name": person[:200] or name,
        "contact_email": _text(billing.get("email"), 254),
        "contact_phone": _text(address.get("phoneNumber"), 20) or None,
    }


def facts_of(account: PartnerCenterAccount, reseller_id: uuid.UUID | None) -> TenantFacts:
    return TenantFacts(
        tenant_id=account.tenant_id,
        company_name=account.company_name[:200],
        initial_domain=account.initial_domain,
        default_domain=account.default_domain,
        verified_domains=list(account.domains or []),
        relationship="indirect" if reseller_id else "direct",
        reseller_id=reseller_id,
    )


async def organization_of_tenant(
    session: AsyncSession, platform_id: uuid.UUID, tenant_id: uuid.UUID | None
) -> Organization | None:
    if tenant_id is None:
        return None
    return await holder_of(session, platform_id, tenant_id)


def _new_customer(
    account: PartnerCenterAccount,
    platform: Organization,
    reseller: Organization | None,
    *,
    run_id: uuid.UUID,
    now: datetime,
) -> Organization:
    return Organization(
        id=uuid.uuid4(),
        kind=OrganizationKind.CUSTOMER,
        platform_id=platform.id,
        parent_id=(reseller or platform).id,
        status=OrganizationStatus.ACTIVE,
        preferred_currency=(reseller or platform).preferred_currency,
        custom_properties={},
        source=OrganizationSource.PARTNER_CENTER,
        approved_at=now,
        last_synced_at=now,
        last_sync_run_id=run_id,
        **_profile_fields(account, platform),
    )


async def _record_created(
    session: AsyncSession,
    organization: Organization,
    account: PartnerCenterAccount,
    *,
    run_id: uuid.UUID,
    now: datetime,
) -> None:
    await record(
        session, None, action="organization.created", target_type="organization",
        target_id=organization.id, organization_id=organization.id,
        platform_id=organization.platform_id,
        changes={"after": {"source": "partner_center", "tenant_id": str(account.tenant_id),
                           "legal_name": organization.legal_name}},
        actor_label=ACTOR_LABEL,
    )  # fmt: skip
    session.add(
        SyncChange(
            run_id=run_id, organization_id=organization.id, action="created",
            changes={"tenant_id": [None, str(account.tenant_id)],
                     "legal_name": [None, organization.legal_name]},
            occurred_at=now,
        )
    )  # fmt: skip


async def create_customer(
    session: AsyncSession,
    account: PartnerCenterAccount,
    platform: Organization,
    reseller: Organization | None,
    *,
    run_id: uuid.UUID,
    now: datetime,
) -> tuple[Organization, bool]:
    """The organization for an account no organization holds; returns it and whether it was
    created (False: another transaction linked the tenant first, and that one is returned)."""
    try:
        async with session.begin_nested():
            organization = _new_customer(account, platform, reseller, run_id=run_id, now=now)
            session.add(organization)
            await session.flush()
            await link_tenant(
                session, None, organization, facts_of(account, reseller.id if reseller else None),
                LinkMethod.SYNCED,
            )  # fmt: skip
    except (TenantHeldElsewhere, IntegrityError):
        holder = await holder_of(session, platform.id, account.tenant_id)
        if holder is None:
            raise
        return holder, False
    await _record_created(session, organization, account, run_id=run_id, now=now)
    return organization, True


async def add_customer(
    session: AsyncSession,
    account: PartnerCenterAccount,
    platform: Organization,
    reseller: Organization | None,
    *,
    run_id: uuid.UUID,
    now: datetime,
) -> Organization:
    """:func:`create_customer` for a batch: the organization holding the tenant, its audit
    events and change are added without a query or a savepoint of their own. The batch's one
    flush writes them, and fails whole when another organization holds one of the tenants (the
    batch is then applied account by account, through :func:`create_customer`)."""
    organization = _new_customer(account, platform, reseller, run_id=run_id, now=now)
    session.add(organization)
    await link_new_organization(
        session, organization, facts_of(account, reseller.id if reseller else None),
        LinkMethod.SYNCED,
    )  # fmt: skip
    await _record_created(session, organization, account, run_id=run_id, now=now)
    return organization


async def ensure_reseller(
    session: AsyncSession,
    account: PartnerCenterAccount,
    platform: Organization,
    *,
    run_id: uuid.UUID,
    now: datetime,
) -> tuple[Organization, bool]:
    """The reseller organization holding the partner tenant: found, a reseller of the same MPN ID
    without a tenant taken, or created under the platform. Returns it and whether it is new."""
    holder = await holder_of(session, platform.id, account.tenant_id)
    if holder is None and account.mpn_id:
        holder = await session.scalar(
            select(Organization)
            .where(
                Organization.platform_id == platform.id,
                Organization.kind == OrganizationKind.RESELLER,
                Organization.mpn_id == account.mpn_id,
                Organization.tenant_id.is_(None),
            )
            .limit(1)
        )
        if holder is not None:
            async with session.begin_nested():
                holder.tenant_id = account.tenant_id
                await session.flush()
    created = holder is None
    if holder is None:
        name = account.company_name[:200]
        async with session.begin_nested():
            holder = Organization(
                kind=OrganizationKind.RESELLER, platform_id=platform.id, parent_id=platform.id,
                status=OrganizationStatus.ACTIVE, legal_name=name, display_name=name,
                address_line1="", address_city="", address_country=platform.address_country,
                contact_name=name, contact_email="", preferred_currency=platform.preferred_currency,
                custom_properties={}, mpn_id=account.mpn_id, tenant_id=account.tenant_id,
                source=OrganizationSource.PARTNER_CENTER, approved_at=now,
            )  # fmt: skip
            session.add(holder)
            await session.flush()
        await record(
            session, None, action="organization.created", target_type="organization",
            target_id=holder.id, organization_id=holder.id, platform_id=platform.id,
            changes={"after": {"source": "partner_center", "kind": "reseller",
                               "mpn_id": account.mpn_id, "tenant_id": str(account.tenant_id)}},
            actor_label=ACTOR_LABEL,
        )  # fmt: skip
        session.add(
            SyncChange(run_id=run_id, organization_id=holder.id, action="created",
                       changes={"mpn_id": [None, account.mpn_id]}, occurred_at=now)
        )  # fmt: skip
    holder.last_synced_at = now
    holder.last_sync_run_id = run_id
    account.organization_id = holder.id
    return holder, created


def billing_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """Field by field, what differs between two billing profiles (``address.city`` ...)."""

    def flat(profile: dict[str, Any] | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in (profile or {}).items():
            if key in ("links", "attributes"):
                continue
            if isinstance(value, dict):
                out.update({f"{key}.{k}": v for k, v in value.items()})
            else:
                out[key] = value
        return out

    old, new = flat(before), flat(after)
    return {
        f"billing.{key}": [old.get(key), new.get(key)]
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    }
