"""Background work of identity: emailing a password reset link (kind ``identity.password_reset``),
and recording the end of acting for a customer in sessions nobody came back to."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.identity.on_behalf import service as on_behalf
from tenantry.identity.passwords import reset as password_reset
from tenantry.models import AuthSession, utcnow


@jobs.handler(password_reset.JOB_KIND)
async def send_reset_link(session: AsyncSession, payload: dict[str, Any]) -> None:
    """Email a reset link if the address has an account; otherwise nothing, and nobody learns
    which (the request answered the same either way)."""
    await password_reset.send_link(session, str(payload["email"]))


@jobs.periodic("identity.on_behalf_timeouts", jobs.crontab(minute="*/5"))
async def record_on_behalf_timeouts(session: AsyncSession) -> None:
    """End the windows of sessions that have expired with a customer still open. A window that
    runs out in a live session is ended by the session's next request instead, which also tells
    the person; a session that has expired will make no further request."""
    await on_behalf.close_windows(
        session, AuthSession.expires_at <= utcnow(), reason=on_behalf.EndReason.TIMED_OUT
    )
