"""Linking a Microsoft tenant to a customer organization: the one place that writes it.

Every route to a linked tenant (Verify authorization, the relationship-accepted webhook, staff
entering it, creation at provisioning, the sync) ends in :func:`link_tenant`. A tenant belongs to
at most one organization of a platform: the unique constraint on ``organizations(platform_id,
tenant_id)`` decides races on both databases, and the loser is told which organization holds it
(by name when the caller may see that organization, otherwise without naming it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.errors import Conflict
from tenantry.models import (
    LinkMethod,
    MicrosoftTenant,
    Organization,
    ServiceDetails,
    ServiceDetailsStatus,
    utcnow,
)
from tenantry.organizations.tenant_check import held_elsewhere, holder_of
from tenantry.security import Actor


@dataclass(frozen=True)
class TenantFacts:
    """What Partner Center told about a tenant when it was found."""

    tenant_id: uuid.UUID
    company_name: str | None = None
    initial_domain: str | None = None
    default_domain: str | None = None
    verified_domains: list[str] = field(default_factory=list)
    relationship: str = "direct"  # or "indirect"
    reseller_id: uuid.UUID | None = None  # the reseller organization, for an indirect one


class OrganizationHoldsAnotherTenant(Conflict):
    code = "organization_holds_another_tenant"
    title = "The organization is linked to another tenant"


async def link_tenant(
    session: AsyncSession,
    actor: Actor | None,
    organization: Organization,
    facts: TenantFacts,
    method: LinkMethod,
    *,
    event_id: uuid.UUID | None = None,
) -> MicrosoftTenant:
    """Make ``organization`` hold the tenant. Idempotent: linking the tenant it already holds
    refreshes what is known and changes nothing else. Raises :class:`TenantHeldElsewhere` (409)
    when another organization of the platform holds it, also when that one won a race just now,
    and :class:`OrganizationHoldsAnotherTenant` when this organization holds a different one."""
    if organization.tenant_id is not None and organization.tenant_id != facts.tenant_id:
        raise OrganizationHoldsAnotherTenant(
            f"{organization.display_name} is linked to the Microsoft tenant "
            f"{organization.tenant_id}, not {facts.tenant_id}",
            reason="organization_holds_another_tenant",
        )
    holder = await holder_of(session, organization.platform_id, facts.tenant_id)
    if holder is not None and holder.id != organization.id:
        raise await held_elsewhere(session, actor, holder, facts.tenant_id)
    already = organization.tenant_id == facts.tenant_id
    if not already:
        try:
            async with session.begin_nested():
                organization.tenant_id = facts.tenant_id
                await session.flush()
        except IntegrityError:
            # Another transaction linked the tenant between our check and our write. The
            # savepoint's rollback expired the organization: load it again (as it is, unlinked).
            await session.refresh(organization)
            holder = await holder_of(session, organization.platform_id, facts.tenant_id)
            if holder is None:
                raise
            raise await held_elsewhere(session, actor, holder, facts.tenant_id) from None
    tenant = await session.get(MicrosoftTenant, organization.id)
    if tenant is None:
        tenant = _tenant_row(organization, facts, method, actor, event_id)
        session.add(tenant)
    _know(tenant, facts)
    details = await session.get(ServiceDetails, organization.id)
    if details is not None:
        details.status = ServiceDetailsStatus.LINKED
    await session.flush()
    if not already:
        await _record_linked(session, actor, organization, facts, method)
    return tenant


async def link_new_organization(
    session: AsyncSession, organization: Organization, facts: TenantFacts, method: LinkMethod
) -> MicrosoftTenant:
    """:func:`link_tenant` for an organization being created (added, not flushed), without a
    query: the rows are added for the caller's flush. That flush meets the unique
    ``organizations(platform_id, tenant_id)`` when another organization holds the tenant, and
    the caller decides what then wins (the sync applies its batch again account by account,
    through :func:`link_tenant`)."""
    organization.tenant_id = facts.tenant_id
    tenant = _tenant_row(organization, facts, method, None, None)
    _know(tenant, facts)
    session.add(tenant)
    await _record_linked(session, None, organization, facts, method)
    return tenant


def _tenant_row(
    organization: Organization,
    facts: TenantFacts,
    method: LinkMethod,
    actor: Actor | None,
    event_id: uuid.UUID | None,
) -> MicrosoftTenant:
    return MicrosoftTenant(
        organization_id=organization.id,
        tenant_id=facts.tenant_id,
        link_method=method,
        linked_at=utcnow(),
        linked_by_id=actor.user_id if actor else None,
        linked_by_event_id=event_id,
        relationship=facts.relationship,
        verified_domains=[],
    )


def _know(tenant: MicrosoftTenant, facts: TenantFacts) -> None:
    """What Partner Center told about the tenant, kept on its row (domains accumulate)."""
    tenant.tenant_id = facts.tenant_id
    tenant.company_name = facts.company_name or tenant.company_name
    tenant.initial_domain = facts.initial_domain or tenant.initial_domain
    tenant.default_domain = facts.default_domain or tenant.default_domain
    tenant.verified_domains = sorted(
        set(facts.verified_domains) | set(tenant.verified_domains or [])
    )
    tenant.relationship = facts.relationship
    tenant.reseller_id = facts.reseller_id


async def _record_linked(
    session: AsyncSession,
    actor: Actor | None,
    organization: Organization,
    facts: TenantFacts,
    method: LinkMethod,
) -> None:
    await record(
        session, actor, action="tenant.linked", target_type="organization",
        target_id=organization.id, organization_id=organization.id,
        platform_id=organization.platform_id,
        changes={"after": {
            "tenant_id": str(facts.tenant_id), "method": method.value,
            "relationship": facts.relationship, "initial_domain": facts.initial_domain,
        }},
        actor_label=None if actor else "Partner Center",
    )  # fmt: skip
