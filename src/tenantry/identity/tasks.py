"""Background work of identity: emailing a password reset link (kind ``identity.password_reset``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.identity import password_reset


@jobs.handler(password_reset.JOB_KIND)
async def send_reset_link(session: AsyncSession, payload: dict[str, Any]) -> None:
    """Email a reset link if the address has an account; otherwise nothing, and nobody learns
    which (the request answered the same either way)."""
    await password_reset.send_link(session, str(payload["email"]))
