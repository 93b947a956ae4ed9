"""One run of the provisioning job: which order, whether it is still ours to move, one step.

The order is locked for the run (``flow.lock``: ``FOR UPDATE`` on PostgreSQL; SQLite's write
lock): two runs for one order, or a run and a person's action on the order, take turns. The
step's outcome decides the rest: a next step (queued at once), a look again later (Microsoft is
provisioning, or Partner Center is unreachable or busy: the order stays in its state), the order
completed, or the order failed with a reason in plain words.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import NotFound
from tenantry.models import (
    Order,
    OrderStatus,
    Organization,
    OrganizationKind,
    ProvisioningStep,
    Role,
    utcnow,
)
from tenantry.orders import flow
from tenantry.orders.provisioning import refusals
from tenantry.orders.provisioning import state as memory
from tenantry.orders.provisioning.context import Run, created_tenant
from tenantry.orders.provisioning.refusals import Refused, Wait
from tenantry.orders.provisioning.steps import STEPS
from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.partnercenter.config import PartnerCenterConfig
from tenantry.security import Actor
from tenantry.settings import Settings
from tenantry.tenants.authorization import sellers_of

log = structlog.get_logger("tenantry.orders")

# The job waits in the outbox, not in a worker thread: a call sits out a short Retry-After and a
# few network or 5xx failures, then the run ends and the job looks again later.
JOB_ATTEMPTS = 3
JOB_MAX_RETRY_AFTER = 5.0
JOB_THROTTLE_RETRIES = 1


def job_config(access: PartnerCenterAccess) -> PartnerCenterConfig:
    return dataclasses.replace(
        access.config(),
        max_attempts=JOB_ATTEMPTS,
        max_retry_after=JOB_MAX_RETRY_AFTER,
        max_throttle_retries=JOB_THROTTLE_RETRIES,
    )


def _viewer(order: Order) -> Actor:
    return Actor(
        platform_id=order.platform_id, organization_id=order.platform_id,
        organization_kind=OrganizationKind.PLATFORM, role=Role.PLATFORM_STAFF,
        label="Tenantry provisioning",
    )  # fmt: skip


async def _ours(session: AsyncSession, payload: dict[str, Any]) -> Order | None:
    """The order, when this delivery may move it: the first delivery of an attempt finds it
    paid; a continuation finds it provisioning at the run it continues."""
    try:
        order = await flow.lock(session, uuid.UUID(str(payload["order_id"])))
    except NotFound:
        return None
    continuing = payload.get("run") is not None
    if order.status is OrderStatus.PAID or (
        continuing and order.status is OrderStatus.PROVISIONING
    ):
        return order
    return None


async def provision(
    session: AsyncSession,
    payload: dict[str, Any],
    *,
    settings: Settings,
    access: PartnerCenterAccess,
) -> None:
    order = await _ours(session, payload)
    if order is None:
        return
    state = await memory.load(session, order)
    if payload.get("run") is not None and int(payload["run"]) != state.run:
        return  # a copy, or a chain the order has moved past
    if order.status is OrderStatus.PAID:
        memory.begin_attempt(state, order)
        await flow.start_provisioning(session, order)
    organization = await session.get_one(Organization, order.organization_id)
    async with access.client(config=job_config(access)) as client:
        run = Run(
            session, client, settings, order, state, organization,
            await sellers_of(session, organization), _viewer(order),
            new_tenant=await created_tenant(session, organization),
        )  # fmt: skip
        try:
            later = await _step(run)
        except Refused as refused:
            log.info("order provisioning failed", order_id=str(order.id), code=refused.code)
            await flow.fail(session, order, refused.code, refused.message)
            return
    if state.step is not ProvisioningStep.DONE:
        await memory.continue_at(session, state, later)


async def _step(run: Run) -> datetime | None:
    state = run.state
    step = state.step
    try:
        later = await STEPS[step](run)
    except Wait as wait:
        return _waiting(run, wait)
    if later is None:
        memory.moved_on(state)
    log.info(
        "order provisioning step", order_id=str(run.order.id), step=step.value,
        next=state.step.value, run=state.run,
    )  # fmt: skip
    return later


def _waiting(run: Run, wait: Wait) -> datetime:
    """Stay in the order's state and look again later; fail once Partner Center stayed
    unreachable for ``TENANTRY_PROVISIONING_GIVE_UP_HOURS``."""
    state, now = run.state, utcnow()
    state.waiting_since = state.waiting_since or now
    hours = run.settings.provisioning_give_up_hours
    if not wait.tenant_not_ready and (now - state.waiting_since).total_seconds() > hours * 3600:
        placed = bool(state.partner_center_order_ids)
        raise Refused(
            refusals.PARTNER_CENTER_UNREACHABLE,
            f"{wait.reason} for {hours} hours, so the order stopped. "
            + (
                "Microsoft had placed it: a retry only follows it, it buys nothing more."
                if placed
                else "Nothing was bought: retry the order once Partner Center answers again."
            ),
        )
    delay = memory.next_wait(state, wait.retry_after)
    state.waits += 1
    state.next_attempt_at = now + delay
    state.waiting_reason = wait.reason
    log.info(
        "order provisioning waits", order_id=str(run.order.id), step=state.step.value,
        reason=wait.reason, until=state.next_attempt_at.isoformat(),
    )  # fmt: skip
    return state.next_attempt_at
