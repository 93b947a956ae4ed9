"""The job that carries out a requested subscription change (see :mod:`.carry_out`)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.orders.subscriptions.carry_out import carry_out
from tenantry.orders.subscriptions.service import CHANGE_JOB


@jobs.handler(CHANGE_JOB)
async def change(session: AsyncSession, payload: dict[str, Any]) -> None:
    await carry_out(session, uuid.UUID(str(payload["change_id"])))
