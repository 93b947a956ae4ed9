"""Whether an organization's orders wait for payment.

By default every order waits for payment before anything goes to Microsoft. The platform may
mark a segment, or one organization, as skipping payment (trusted customers): their orders go
straight to paid. An organization's own setting wins over its segments' (one customer of a
trusted segment can still be made to pay); a customer skips when any of its segments does.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import Organization, PaymentSetting, organization_segments


async def skips_payment(session: AsyncSession, organization: Organization) -> bool:
    own = await session.scalar(
        select(PaymentSetting.skip_payment).where(PaymentSetting.organization_id == organization.id)
    )
    if own is not None:
        return own
    by_segment = await session.scalar(
        select(PaymentSetting.id)
        .join(
            organization_segments,
            organization_segments.c.segment_id == PaymentSetting.segment_id,
        )
        .where(
            organization_segments.c.organization_id == organization.id,
            PaymentSetting.skip_payment.is_(True),
        )
        .limit(1)
    )
    return by_segment is not None
