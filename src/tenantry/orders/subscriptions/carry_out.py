"""Carrying out a requested subscription change in Partner Center (the ``subscriptions.change``
job).

The subscription is read first (``get_subscription``): a PATCH sends the full resource as read,
and what is read may show the change already made (a worker killed after Partner Center applied
it), which then ends ``done`` without a second call. The PATCH carries an ``MS-RequestId``
derived from the change, so a retry of a call whose answer was lost is recognised by Partner
Center rather than applied twice.

Partner Center down, throttling or timing out: the handler raises, the change stays
``requested`` and the job runs again with backoff. Any other refusal ends the change ``failed``
with the reason in plain words and what to do. The agreement's refusal (403/13605) also corrects
the customer's agreement status; the handler returns normally then, so that correction commits
with the failed change.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements.gate import WHAT
from tenantry.audit.service import record
from tenantry.errors import Conflict
from tenantry.models import (
    MicrosoftSubscription,
    Organization,
    OrganizationKind,
    Role,
    SubscriptionChange,
    SubscriptionChangeKind,
    SubscriptionChangeState,
    utcnow,
)
from tenantry.orders.purchase_gate import PurchaseKind, guarded, refuse_unless_agreed
from tenantry.orders.subscriptions import rules
from tenantry.orders.subscriptions.emails import change_finished
from tenantry.partnercenter import access
from tenantry.partnercenter.errors import (
    EtagMismatch,
    PartnerCenterError,
    ServerError,
    Throttled,
    TransportFailure,
)
from tenantry.partnercenter.models.subscriptions import Subscription
from tenantry.security import Actor

REQUEST_ID_NAMESPACE = uuid.UUID("0b6f4c1e-5d0a-4c8e-9a4f-6b1f3c2d7e10")
# Worth another attempt later: Partner Center unreachable, throttling, failing, or the
# subscription changed between the read and the update.
TRANSIENT = (TransportFailure, Throttled, ServerError, EtagMismatch)

# Microsoft's refusals of a subscription update, said for people (code -> what it means, what to do).
REFUSALS: dict[str, str] = {
    "2002": "Microsoft refused the number of licenses: it is outside what this product allows. "
    "Ask for a number within the product's limits.",
    "2001": "Microsoft does not change the licenses of a suspended subscription. Reactivate it "
    "first, then ask again.",
    "2011": "The subscription was cancelled in Microsoft; it can no longer change.",
    "800095": "Microsoft does not change the number of licenses of this subscription (a trial or "
    "a usage-based subscription).",
}


def request_id(change: SubscriptionChange) -> str:
    """The change's ``MS-RequestId``: the same on every attempt, different for each change."""
    return str(uuid.uuid5(REQUEST_ID_NAMESPACE, str(change.id)))


def _job_viewer(organization: Organization) -> Actor:
    return Actor(
        platform_id=organization.platform_id, organization_id=organization.platform_id,
        organization_kind=OrganizationKind.PLATFORM, role=Role.PLATFORM_ADMIN,
        label="subscription change job",
    )  # fmt: skip


def _agreement_refusal(organization: Organization, kind: PurchaseKind) -> str:
    return (
        f"Microsoft accepts no {WHAT[kind]} for {organization.display_name} until the Microsoft "
        "Customer Agreement is accepted. The customer's administrator accepts it in Tenantry, or "
        "the seller attests an acceptance obtained outside it; then ask for the change again."
    )


def _purchase_kind(change: SubscriptionChange, current: Subscription) -> PurchaseKind | None:
    """What the agreement gates in this change (None: fewer licenses, auto-renew off)."""
    if change.kind is SubscriptionChangeKind.QUANTITY:
        more = (change.quantity or 0) > (current.quantity or 0)
        return PurchaseKind.SEAT_INCREASE if more else None
    return PurchaseKind.RENEWAL if change.auto_renew else None


def _applied(change: SubscriptionChange, current: Subscription) -> bool:
    if change.kind is SubscriptionChangeKind.QUANTITY:
        return current.quantity == change.quantity
    return bool(current.auto_renew_enabled) == bool(change.auto_renew)


def _wanted(change: SubscriptionChange, current: Subscription) -> Subscription:
    update = current.model_copy(deep=True)
    if change.kind is SubscriptionChangeKind.QUANTITY:
        update.quantity = change.quantity
    else:
        update.auto_renew_enabled = bool(change.auto_renew)
    return update


def store_as_read(row: MicrosoftSubscription, current: Subscription) -> None:
    """The local row as Partner Center answered (the sync would read the same)."""
    row.quantity = current.quantity or 0
    row.auto_renew = current.auto_renew_enabled
    row.status = (current.status or None) and current.status[:32]
    row.raw = current.model_dump(mode="json", by_alias=True, exclude_none=True)
    row.last_synced_at = utcnow()


async def _finish(
    session: AsyncSession, change: SubscriptionChange, row: MicrosoftSubscription,
    *, failure: str | None = None, code: str | None = None,
) -> None:  # fmt: skip
    change.state = SubscriptionChangeState.FAILED if failure else SubscriptionChangeState.DONE
    change.failure, change.failure_code = failure, code
    change.finished_at = utcnow()
    changes: dict[str, Any] = {"change_id": str(change.id), "state": change.state.value}
    if failure:
        changes["failure"] = failure
    else:
        changes["after"] = {"quantity": row.quantity, "auto_renew": row.auto_renew}
    await record(
        session, None, action=f"subscription.change_{change.state.value}",
        target_type="subscription", target_id=row.id, organization_id=change.organization_id,
        platform_id=change.platform_id, changes=changes,
    )  # fmt: skip
    organization = await session.get(Organization, change.organization_id)
    if organization is not None:
        await change_finished(session, change, row, organization)


async def carry_out(session: AsyncSession, change_id: uuid.UUID) -> None:
    """Apply one requested change; a change no longer ``requested`` is left alone."""
    change = (
        await session.execute(
            select(SubscriptionChange).where(SubscriptionChange.id == change_id).with_for_update()
        )
    ).scalar_one_or_none()
    if change is None or change.state is not SubscriptionChangeState.REQUESTED:
        return
    row = await session.get(MicrosoftSubscription, change.subscription_row_id)
    organization = await session.get(Organization, change.organization_id)
    assert row is not None and organization is not None  # cascades delete the change with them
    tenant = str(row.tenant_id)
    current: Subscription | None = None
    async with access.current().client() as client:
        try:
            current = await client.get_subscription(tenant, row.subscription_id)
            if _applied(change, current):
                store_as_read(row, current)
                await _finish(session, change, row)
                return
            if failure := _refused_before_the_call(change, current, organization):
                await _finish(session, change, row, failure=failure[1], code=failure[0])
                return
            kind = _purchase_kind(change, current)
            call = client.update_subscription(
                tenant, _wanted(change, current), request_id=request_id(change)
            )
            if kind is None:
                updated = await call
            else:
                viewer = _job_viewer(organization)
                await refuse_unless_agreed(session, organization, viewer, None, kind)
                updated = await guarded(session, organization, viewer, kind, call)
        except TRANSIENT:
            raise  # stays requested; the job runs again with backoff
        except Conflict as refused:  # the agreement: refused here or by Microsoft (13605)
            gated = _purchase_kind(change, current) if current else None
            kind = gated or PurchaseKind.SEAT_INCREASE
            reason = str(refused.extra.get("reason") or "microsoft_customer_agreement_missing")
            await _finish(
                session, change, row, failure=_agreement_refusal(organization, kind), code=reason
            )
            return
        except PartnerCenterError as error:
            await _finish(
                session,
                change,
                row,
                failure=_said(error, current),
                code=error.code or str(error.status or "error"),
            )
            return
    store_as_read(row, updated)
    await _finish(session, change, row)


def _refused_before_the_call(
    change: SubscriptionChange, current: Subscription, organization: Organization
) -> tuple[str, str] | None:
    """Microsoft's rules that the subscription as read already breaks: not sent at all."""
    if change.kind is SubscriptionChangeKind.QUANTITY and (change.quantity or 0) < (
        current.quantity or 0
    ):
        deadline = rules.decrease_deadline(current)
        if deadline is not None and utcnow() >= deadline:
            return "decrease_window_closed", rules.decrease_closed_message(current, deadline)
    if _purchase_kind(change, current) is not None:
        try:
            rules.check_may_buy_more(organization)
        except Conflict as refused:
            return "organization_not_active", refused.detail
    return None


def _said(error: PartnerCenterError, current: Subscription | None) -> str:
    if error.code == "900214":
        return rules.decrease_closed_message(current, None)
    if error.code in REFUSALS:
        return REFUSALS[error.code]
    if error.status == 404:
        return "Microsoft no longer knows this subscription; it may have been cancelled there."
    return (
        f"Microsoft refused the change ({error.status or 'no answer'}"
        f"{', code ' + error.code if error.code else ''}). Check the subscription in Partner "
        "Center, then ask again or contact support."
    )
