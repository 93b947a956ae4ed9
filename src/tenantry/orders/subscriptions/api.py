"""HTTP API of a customer's subscriptions and their changes.

Seen by whoever sees the customer (its people, its reseller's staff, the platform's staff);
changed by the customer's admins and its seller's staff. A change answers 202 ``requested``
and is carried out by a job; ``GET`` the change (or the subscription) to follow it.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response

from tenantry.deps import CurrentActor, DbSession
from tenantry.idempotency import HEADER
from tenantry.models import MicrosoftSubscription
from tenantry.orders.subscriptions import rules, service
from tenantry.orders.subscriptions.schemas import (
    SubscriptionChangeRead,
    SubscriptionChangeRequest,
    SubscriptionDetail,
    SubscriptionRead,
)
from tenantry.problems import API_ERRORS

router = APIRouter(prefix="/api/v1", tags=["Subscriptions"], responses=API_ERRORS)
LIST = "/organizations/{organization_id}/subscriptions"
ONE = f"{LIST}/{{subscription_id}}"


def read(row: MicrosoftSubscription) -> SubscriptionRead:
    found = rules.resource(row)
    deadline = rules.decrease_deadline(found) if found else None
    return SubscriptionRead.model_validate(row).model_copy(
        update={"decrease_allowed_until": deadline if deadline and deadline.year > 1 else None}
    )


@router.get(LIST, summary="List a customer's Microsoft subscriptions")
async def list_subscriptions(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> list[SubscriptionRead]:
    organization = await service.organization(session, actor, organization_id)
    return [read(row) for row in await service.subscriptions_of(session, organization)]


@router.get(ONE, summary="One subscription with its changes, newest first")
async def get_subscription(
    organization_id: uuid.UUID, subscription_id: uuid.UUID, session: DbSession,
    actor: CurrentActor,
) -> SubscriptionDetail:  # fmt: skip
    organization = await service.organization(session, actor, organization_id)
    row = await service.subscription(session, organization, subscription_id)
    changes = [
        SubscriptionChangeRead.model_validate(c) for c in await service.changes_of(session, row)
    ]
    return SubscriptionDetail(**read(row).model_dump(), changes=changes)


@router.post(
    f"{ONE}/changes", status_code=202,
    summary="Ask for more or fewer licenses, or auto-renew on or off",
    description=(
        "Recorded as `requested` and carried out in Partner Center by a job; follow it with "
        "`GET .../changes/{change_id}`. More licenses and auto-renew on need the customer's "
        "Microsoft Customer Agreement (409 `microsoft_customer_agreement_missing`) and an "
        "active customer (409 `organization_not_active`); fewer licenses only within 7 days of "
        "the purchase or renewal (409 `decrease_window_closed`). With an `Idempotency-Key`, a "
        "repeat answers the first change (200, `Idempotent-Replayed: true`)."
    ),
)  # fmt: skip
async def request_change(
    organization_id: uuid.UUID, subscription_id: uuid.UUID, data: SubscriptionChangeRequest,
    request: Request, response: Response, session: DbSession, actor: CurrentActor,
    idempotency_key: Annotated[str | None, Header(alias=HEADER)] = None,
) -> SubscriptionChangeRead:  # fmt: skip
    made, replayed = await service.request_change(
        session, actor, organization_id, subscription_id,
        service.Wanted(quantity=data.quantity, auto_renew=data.auto_renew),
        idempotency_key=idempotency_key, access=request.app.state.partner_center,
    )  # fmt: skip
    if replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return SubscriptionChangeRead.model_validate(made)


@router.get(f"{ONE}/changes/{{change_id}}", summary="One change of a subscription")
async def get_change(
    organization_id: uuid.UUID, subscription_id: uuid.UUID, change_id: uuid.UUID,
    session: DbSession, actor: CurrentActor,
) -> SubscriptionChangeRead:  # fmt: skip
    organization = await service.organization(session, actor, organization_id)
    row = await service.subscription(session, organization, subscription_id)
    return SubscriptionChangeRead.model_validate(await service.change(session, row, change_id))
