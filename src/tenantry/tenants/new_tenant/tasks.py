"""Erasing the credentials of links that expired unopened (every five minutes)."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.tenants.new_tenant import credentials

log = structlog.get_logger("tenantry.tenants")


@jobs.periodic("tenants.credentials_expiry", jobs.crontab(minute="*/5"))
async def erase_expired_credentials(session: AsyncSession) -> None:
    erased = await credentials.erase_expired(session)
    if erased:
        log.info("expired credentials links erased", count=erased)
