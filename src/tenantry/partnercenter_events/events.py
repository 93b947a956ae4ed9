"""The events this package handles itself: Partner Center's test event."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import PartnerCenterEvent
from tenantry.partnercenter_events import registry

TEST_EVENT = "test-created"


@registry.on(TEST_EVENT)
async def test_event(session: AsyncSession, event: PartnerCenterEvent) -> str | None:
    """Partner Center's validation event proves that deliveries arrive; nothing to do (listed as
    ignored, "Partner Center's test event")."""
    return None
