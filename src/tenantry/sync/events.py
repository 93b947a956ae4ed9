"""Partner Center events that sync one customer at once.

A relationship accepted by a customer (direct or through an indirect reseller) queues an
organization run for the tenant: it links, creates or proposes, like any sync. The run starts
after the event's transaction commits, so when the tenants package linked an organization
waiting for that tenant in the same event, the run finds it holding the tenant and only brings
its account up to date. ``subscription-updated`` syncs that customer's subscriptions.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.bootstrap import find_platform
from tenantry.models import PartnerCenterEvent, SyncScope, SyncTrigger
from tenantry.partnercenter_events import registry
from tenantry.sync.runs import request_sync
from tenantry.tenants.events import customer_id_of


@registry.on(
    "reseller-relationship-accepted-by-customer",
    "indirect-reseller-relationship-accepted-by-customer",
    "subscription-updated",
)
async def sync_customer(session: AsyncSession, event: PartnerCenterEvent) -> str:
    tenant_id = customer_id_of(event)
    if tenant_id is None:
        return f"nothing synced: the event names no customer ({event.resource_uri or 'no URI'})"
    platform = await find_platform(session)
    if platform is None:
        return "nothing synced: there is no platform"
    run, joined = await request_sync(
        session, platform_id=platform.id, scope=SyncScope.ORGANIZATION, tenant_id=tenant_id,
        trigger=SyncTrigger.WEBHOOK,
    )  # fmt: skip
    return f"{'joined' if joined else 'queued'} the sync of the tenant {tenant_id} (run {run.id})"
