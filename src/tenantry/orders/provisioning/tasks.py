"""The provisioning job (kind ``orders.provision``, queued by ``orders.flow`` when an order is
paid, and by itself to continue)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.orders import flow
from tenantry.orders.provisioning import runner
from tenantry.partnercenter import access
from tenantry.settings import Settings, get_settings


def _settings() -> Settings:
    configured = access.current().settings
    return configured if isinstance(configured, Settings) else get_settings()


@jobs.handler(flow.PROVISION_JOB)
async def provision(session: AsyncSession, payload: dict[str, Any]) -> None:
    """Reload the order, act only when it is still ours to move, do its next step."""
    await runner.provision(session, payload, settings=_settings(), access=access.current())
