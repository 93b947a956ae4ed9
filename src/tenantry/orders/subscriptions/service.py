"""Reading a customer's subscriptions and asking for a change of one.

A change is checked here (who, what, Microsoft's rules, the agreement gate, the customer's
status), recorded as ``requested`` with an outbox row in the request's transaction, and carried
out by the ``subscriptions.change`` job (:mod:`.carry_out`). The subscription's row is locked
while a change is asked, so that concurrent requests with one ``Idempotency-Key`` make one
change and two changes of one subscription are never under way at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.audit.service import record
from tenantry.errors import Conflict, FieldError, NotFound, ValidationFailed, invalid
from tenantry.idempotency import HEADER
from tenantry.models import (
    CatalogSku,
    MicrosoftSubscription,
    Organization,
    OutboxItem,
    OutboxStatus,
    SubscriptionChange,
    SubscriptionChangeKind,
    SubscriptionChangeState,
    utcnow,
)
from tenantry.orders.purchase_gate import PurchaseKind, refuse_unless_agreed
from tenantry.orders.subscriptions import rules
from tenantry.organizations import repository
from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.security import Actor

CHANGE_JOB = "subscriptions.change"
# Backoff doubles from 10 s to an hour: twenty attempts cover about 14 hours of Partner Center
# being down or throttling.
CHANGE_JOB_ATTEMPTS = 20


@dataclass(frozen=True)
class Wanted:
    """What the caller asks: a new number of licenses, or auto-renew on or off (one of them)."""

    quantity: int | None = None
    auto_renew: bool | None = None


async def organization(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID
) -> Organization:
    return await repository.get(session, actor, organization_id)  # 404 when not in scope


async def subscriptions_of(
    session: AsyncSession, organization: Organization
) -> Sequence[MicrosoftSubscription]:
    found = await session.scalars(
        select(MicrosoftSubscription)
        .where(MicrosoftSubscription.organization_id == organization.id)
        .order_by(MicrosoftSubscription.offer_name, MicrosoftSubscription.subscription_id)
    )
    return found.all()


async def subscription(
    session: AsyncSession, organization: Organization, row_id: uuid.UUID, *, lock: bool = False
) -> MicrosoftSubscription:
    query = select(MicrosoftSubscription).where(
        MicrosoftSubscription.id == row_id,
        MicrosoftSubscription.organization_id == organization.id,
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"subscription {row_id} not found")
    return found


async def changes_of(
    session: AsyncSession, row: MicrosoftSubscription
) -> Sequence[SubscriptionChange]:
    found = await session.scalars(
        select(SubscriptionChange)
        .where(SubscriptionChange.subscription_row_id == row.id)
        .order_by(SubscriptionChange.created_at.desc(), SubscriptionChange.id)
    )
    return found.all()


async def change(
    session: AsyncSession, row: MicrosoftSubscription, change_id: uuid.UUID
) -> SubscriptionChange:
    found = await session.get(SubscriptionChange, change_id)
    if found is None or found.subscription_row_id != row.id:
        raise NotFound(f"subscription change {change_id} not found")
    return found


def _kind(wanted: Wanted) -> SubscriptionChangeKind:
    if (wanted.quantity is None) == (wanted.auto_renew is None):
        raise ValidationFailed(
            [FieldError("quantity", "one_change", "ask for either a quantity or auto-renew")]
        )
    return (
        SubscriptionChangeKind.QUANTITY
        if wanted.quantity is not None
        else SubscriptionChangeKind.AUTO_RENEW
    )


def _same_request(found: SubscriptionChange, wanted: Wanted) -> bool:
    return found.quantity == wanted.quantity and found.auto_renew == wanted.auto_renew


async def _earlier(
    session: AsyncSession, row: MicrosoftSubscription, key: str | None, wanted: Wanted
) -> SubscriptionChange | None:
    if key is None:
        return None
    if not 1 <= len(key) <= 200:
        raise invalid(f"header.{HEADER}", "length", "an Idempotency-Key is 1 to 200 characters")
    found = (
        await session.execute(
            select(SubscriptionChange).where(
                SubscriptionChange.subscription_row_id == row.id,
                SubscriptionChange.idempotency_key == key,
            )
        )
    ).scalar_one_or_none()
    if found is not None and not _same_request(found, wanted):
        raise invalid(
            f"header.{HEADER}", "reused_key", "this Idempotency-Key was used for a different change"
        )
    return found


GAVE_UP = (
    "Partner Center could not be reached for this change after many attempts; nothing was "
    "changed. Ask for it again."
)


async def _in_progress(session: AsyncSession, row: MicrosoftSubscription) -> None:
    pending = await session.scalar(
        select(SubscriptionChange).where(
            SubscriptionChange.subscription_row_id == row.id,
            SubscriptionChange.state == SubscriptionChangeState.REQUESTED,
        )
    )
    if pending is None:
        return
    job = await session.scalar(
        select(OutboxItem.status).where(OutboxItem.idempotency_key == f"{CHANGE_JOB}:{pending.id}")
    )
    if job is OutboxStatus.FAILED:  # the job gave up: the change did not happen
        pending.state, pending.failure_code = SubscriptionChangeState.FAILED, "gave_up"
        pending.failure, pending.finished_at = GAVE_UP, utcnow()
        return
    raise Conflict(
        "another change of this subscription is still under way; ask again once it is done "
        "or failed",
        reason="change_in_progress",
    )


async def _gate(
    session: AsyncSession, actor: Actor, organization: Organization,
    access: PartnerCenterAccess | None, kind: PurchaseKind,
) -> None:  # fmt: skip
    rules.check_may_buy_more(organization)
    if access is None:
        await refuse_unless_agreed(session, organization, actor, None, kind)
        return
    async with access.client(lookup=True) as client:
        await refuse_unless_agreed(session, organization, actor, client, kind)


async def _check(
    session: AsyncSession, actor: Actor, organization: Organization, row: MicrosoftSubscription,
    wanted: Wanted, access: PartnerCenterAccess | None,
) -> None:  # fmt: skip
    rules.check_changeable(row)
    if wanted.quantity is not None:
        rules.check_quantity(wanted.quantity)
        rules.check_sku_limits(wanted.quantity, await _catalog_sku(session, organization, row))
        if wanted.quantity == row.quantity:
            raise invalid("quantity", "unchanged", f"the subscription has {row.quantity} already")
        if wanted.quantity > row.quantity:
            await _gate(session, actor, organization, access, PurchaseKind.SEAT_INCREASE)
        else:
            rules.check_decrease(row, utcnow())
        return
    if wanted.auto_renew == row.auto_renew:
        state = "on" if wanted.auto_renew else "off"
        raise invalid("auto_renew", "unchanged", f"auto-renew is {state} already")
    if wanted.auto_renew:
        await _gate(session, actor, organization, access, PurchaseKind.RENEWAL)


async def _catalog_sku(
    session: AsyncSession, organization: Organization, row: MicrosoftSubscription
) -> CatalogSku | None:
    sku = rules.sku_of(row.offer_id)
    if sku is None:
        return None
    found: CatalogSku | None = await session.scalar(
        select(CatalogSku).where(
            CatalogSku.platform_id == organization.platform_id,
            CatalogSku.product_id == sku[0],
            CatalogSku.sku_id == sku[1],
        )
    )
    return found


async def request_change(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID, row_id: uuid.UUID,
    wanted: Wanted, *, idempotency_key: str | None, access: PartnerCenterAccess | None,
) -> tuple[SubscriptionChange, bool]:  # fmt: skip
    """Record the change (``requested``) and queue it; returns it and whether it was made by an
    earlier request with the same key (nothing new is then recorded)."""
    organization = await repository.get(session, actor, organization_id)
    row = await subscription(session, organization, row_id, lock=True)
    rules.require_may_change(actor)
    kind = _kind(wanted)
    if (earlier := await _earlier(session, row, idempotency_key, wanted)) is not None:
        return earlier, True
    await _in_progress(session, row)
    await _check(session, actor, organization, row, wanted, access)
    made = SubscriptionChange(
        platform_id=organization.platform_id, organization_id=organization.id,
        subscription_row_id=row.id, kind=kind, quantity_before=row.quantity,
        quantity=wanted.quantity, auto_renew=wanted.auto_renew, idempotency_key=idempotency_key,
        requested_by_id=actor.user_id, requested_by_label=actor.label[:320],
    )  # fmt: skip
    try:
        async with session.begin_nested():  # a concurrent twin (same key) may insert first
            session.add(made)
            await session.flush()
    except IntegrityError:
        if (earlier := await _earlier(session, row, idempotency_key, wanted)) is not None:
            return earlier, True
        raise
    await jobs.enqueue(
        session, kind=CHANGE_JOB, payload={"change_id": made.id},
        idempotency_key=f"{CHANGE_JOB}:{made.id}", max_attempts=CHANGE_JOB_ATTEMPTS,
    )  # fmt: skip
    await record(
        session, actor, action="subscription.change_requested", target_type="subscription",
        target_id=row.id, organization_id=organization.id,
        changes={"change_id": str(made.id), "subscription_id": row.subscription_id,
                 "before": {"quantity": row.quantity, "auto_renew": row.auto_renew},
                 "after": {k: v for k, v in vars(wanted).items() if v is not None}},
    )  # fmt: skip
    return made, False
