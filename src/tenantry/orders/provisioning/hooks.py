"""What happens after an order completed, beyond the order itself.

Trials of the products just bought are converted to paid (users keep their licenses; each trial's
outcome is recorded with the customer's directory, see docs/tenant-import.md). After the first
completed order of a customer whose existing tenant was linked (not created by Tenantry), its
users, domains and license assignments are imported (the ``directory.import`` job).

Neither may undo the completed order: a trial conversion Partner Center refuses or cannot take
now is logged and left for staff (the customer's Users and licenses page lists its trials).
"""

from __future__ import annotations

import httpx
import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.directory.runs import request_import
from tenantry.directory.trials import convert_trials
from tenantry.models import LinkMethod, MicrosoftTenant, Order, OrderStatus, Organization
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.partnercenter.errors import PartnerCenterError

log = structlog.get_logger("tenantry.orders")


async def order_completed(
    session: AsyncSession, client: PartnerCenterClient, order: Order, organization: Organization
) -> None:
    await _convert_trials(session, client, order, organization)
    tenant = await session.get(MicrosoftTenant, organization.id)
    if tenant is None or tenant.link_method is LinkMethod.CREATED:
        return
    earlier = await session.scalar(
        select(func.count())
        .select_from(Order)
        .where(
            Order.organization_id == organization.id,
            Order.status == OrderStatus.COMPLETED,
            Order.id != order.id,
        )
    )
    if not earlier:
        await request_import(session, organization.id, reason=f"first_order:{order.id}")


async def _convert_trials(
    session: AsyncSession, client: PartnerCenterClient, order: Order, organization: Organization
) -> None:
    products = {str(line.get("offer_id", "")).split(":")[0] for line in order.lines}
    try:
        async with session.begin_nested():
            await convert_trials(session, client, organization, sorted(p for p in products if p))
    except (httpx.HTTPError, PartnerCenterError) as exc:
        log.warning(
            "trials of the order's products not converted", order_id=str(order.id),
            organization_id=str(organization.id), error=type(exc).__name__,
        )  # fmt: skip
