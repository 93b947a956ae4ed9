"""Partner Center said a customer accepted the relationship: link the tenant it accepted for.

The event names the customer (``ResourceUri`` ends in ``/customers/{tenant id}``). The tenant is
read from Partner Center, and linked to the one organization of the event's platform whose
awaiting Service Details name one of its domains; with none or several, nothing is linked and the event says why (staff see it
in the events list). Running twice links once.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import (
    LinkMethod,
    Organization,
    PartnerCenterEvent,
    ServiceDetails,
    ServiceDetailsStatus,
    TenantChoice,
)
from tenantry.partnercenter import access
from tenantry.partnercenter.errors import NotFound, RelationshipMissing
from tenantry.partnercenter_events import registry
from tenantry.tenants import authorization
from tenantry.tenants.linking import link_tenant
from tenantry.tenants.verification import _domains_of, facts_of

_CUSTOMER = re.compile(r"/customers/([0-9a-fA-F-]{36})", re.IGNORECASE)


def customer_id_of(event: PartnerCenterEvent) -> uuid.UUID | None:
    match = _CUSTOMER.search(event.resource_uri or "")
    return uuid.UUID(match.group(1)) if match else None


@registry.on(
    "reseller-relationship-accepted-by-customer",
    "indirect-reseller-relationship-accepted-by-customer",
)
async def link_waiting_checkout(session: AsyncSession, event: PartnerCenterEvent) -> str:
    customer_id = customer_id_of(event)
    if customer_id is None:
        return f"nothing linked: the event names no customer ({event.resource_uri or 'no URI'})"
    async with access.current().client() as client:
        try:
            customer = await client.get_customer(str(customer_id))
        except (NotFound, RelationshipMissing):
            return f"nothing linked: Partner Center does not list the customer {customer_id}"
        domains = _domains_of(customer)
        waiting = [
            (details, organization)
            for details, organization in await session.execute(
                select(ServiceDetails, Organization)
                .join(Organization, Organization.id == ServiceDetails.organization_id)
                .where(
                    ServiceDetails.platform_id == event.platform_id,
                    ServiceDetails.choice == TenantChoice.EXISTING,
                    ServiceDetails.status == ServiceDetailsStatus.AWAITING_AUTHORIZATION,
                    Organization.tenant_id.is_(None),
                )
            )
            if (details.customer_domain or "").lower() in domains
        ]
        if not waiting:
            return (
                f"nothing linked: no organization waits for the tenant {customer_id} "
                f"({', '.join(sorted(domains)) or 'no domain known'})"
            )
        if len(waiting) > 1:
            names = ", ".join(sorted(o.display_name for _, o in waiting))
            return (
                f"nothing linked: several organizations wait for the tenant {customer_id}: {names}"
            )
        details, organization = waiting[0]
        sellers = await authorization.sellers_of(session, organization)
        reseller = sellers.reseller
        if reseller is not None:
            reseller_tenant = await authorization.reseller_tenant_id(client, reseller)
            linked = await client.list_customer_relationships(str(customer_id))
            if reseller_tenant.lower() not in {r.id.lower() for r in linked}:
                return (
                    f"nothing linked: the tenant {customer_id} did not accept "
                    f"{reseller.display_name}, which {organization.display_name} waits for"
                )
    facts = facts_of(customer, details.customer_domain or "", reseller.id if reseller else None)
    await link_tenant(session, None, organization, facts, LinkMethod.WEBHOOK, event_id=event.id)
    return f"linked the tenant {customer_id} to {organization.display_name}"
