"""What Partner Center's GDAP and DAP events change here.

A GDAP event names the relationship (``ResourceUri`` ends with its id) but not its new state, so
the handler reads the relationship from Graph and takes its status and dates: a late or repeated
event therefore changes nothing wrong. DAP (the older all-or-nothing admin access) has no state
here; its events go into the customer's audit trail, so staff see when a customer gave or took it.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.models import GdapRelationship, Organization, OrganizationKind, PartnerCenterEvent
from tenantry.partnercenter import access
from tenantry.partnercenter_events import registry
from tenantry.tenants.gdap import service
from tenantry.tenants.gdap.graph import PartnerCenterGdap

GDAP_EVENTS = (
    "granular-admin-relationship-approved",
    "granular-admin-relationship-activated",
    "granular-admin-relationship-terminated",
    "granular-admin-relationship-expired",
)
DAP_EVENTS = {
    "dap-admin-relationship-approved": "approved delegated admin privileges (DAP)",
    "dap-admin-relationship-terminated": "ended delegated admin privileges (DAP)",
    "dap-admin-relationship-terminated-by-microsoft": "lost delegated admin privileges (DAP): "
    "Microsoft ended them",
}
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def relationship_id_of(event: PartnerCenterEvent) -> str | None:
    """The relationship's id: the last segment of ``ResourceUri`` ({guid}-{guid})."""
    uri = (event.resource_uri or "").strip().rstrip("/")
    return uri.rsplit("/", 1)[-1] or None if uri else None


@registry.on(*GDAP_EVENTS)
async def follow_relationship(session: AsyncSession, event: PartnerCenterEvent) -> str:
    relationship_id = relationship_id_of(event)
    if relationship_id is None:
        return "the event names no GDAP relationship; nothing to do"
    row = await session.scalar(
        select(GdapRelationship)
        .where(
            GdapRelationship.platform_id == event.platform_id,
            GdapRelationship.relationship_id == relationship_id,
        )
        .with_for_update()
    )
    if row is None:
        return f"GDAP relationship {relationship_id} was not requested through Tenantry; kept only"
    # Raises PartnerCenterUnavailable when Graph cannot be read: the job tries again later.
    state = await PartnerCenterGdap(access.current(), lookup=False).read(relationship_id)
    changed = await service.apply_state(session, None, row, state, source="followed_event")
    customer = await session.get_one(Organization, row.organization_id)
    until = f" until {row.end_at.date().isoformat()}" if row.end_at else ""
    what = "is now" if changed else "was already"
    return f"{customer.display_name}'s GDAP relationship '{row.display_name}' {what} {row.status.value}{until}"


def _tenant_of(event: PartnerCenterEvent) -> uuid.UUID | None:
    """DAP events often carry no ResourceUri; take a tenant id from whatever names one."""
    body = event.body or {}
    candidates = [event.resource_uri or ""] + [
        str(body.get(k) or "") for k in ("CustomerTenantId", "TenantId", "CustomerId")
    ]
    for text in candidates:
        found = _GUID.findall(text)
        if found:
            return uuid.UUID(found[-1])
    return None


@registry.on(*DAP_EVENTS)
async def record_dap(session: AsyncSession, event: PartnerCenterEvent) -> str:
    what = DAP_EVENTS[event.event_name.lower()]
    tenant_id = _tenant_of(event)
    if tenant_id is None:
        return (
            f"a customer {what}; Partner Center did not say which tenant, so nothing was recorded"
        )
    customers = (
        await session.scalars(
            select(Organization).where(
                Organization.platform_id == event.platform_id,
                Organization.tenant_id == tenant_id,
                Organization.kind == OrganizationKind.CUSTOMER,
            )
        )
    ).all()
    if not customers:
        return f"tenant {tenant_id} {what}; no organization holds that tenant"
    for customer in customers:
        await record(
            session, None, action=f"dap.{event.event_name.lower().removeprefix('dap-admin-relationship-')}",
            target_type="organization", target_id=customer.id, organization_id=customer.id,
            platform_id=customer.platform_id,
            changes={"event_id": str(event.id), "tenant_id": str(tenant_id)},
        )  # fmt: skip
    names = ", ".join(c.display_name for c in customers)
    return f"{names} {what}; recorded in the audit log"
