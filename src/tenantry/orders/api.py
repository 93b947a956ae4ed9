"""HTTP API of the checkout and of orders (/api/v1): where the checkout stands, placing an order
(idempotent), finding orders in scope, and what people do with them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from tenantry import idempotency
from tenantry.deps import AppSettings, CurrentActor, DbSession, WritingDbSession
from tenantry.models import OrderStatus, Organization
from tenantry.orders import cart as carts
from tenantry.orders import checkout, steps
from tenantry.orders.checkout_schemas import CheckoutRead, checkout_read
from tenantry.orders.lifecycle import reads, repository, service
from tenantry.orders.lifecycle.schemas import Cancel, MarkPaid, OrderCreate, OrderFilter, OrderRead
from tenantry.organizations import repository as organizations
from tenantry.pagination import MAX_PAGE_SIZE
from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.problems import API_ERRORS
from tenantry.schemas import Page

router = APIRouter(prefix="/api/v1", tags=["orders"], responses=API_ERRORS)
# The same Idempotency-Key within this long answers with the first order.
KEY_LIFETIME = timedelta(hours=24)


def _partner_center(request: Request) -> PartnerCenterAccess | None:
    found: PartnerCenterAccess | None = request.app.state.partner_center
    return found


@router.get(
    "/checkout",
    summary="Where the checkout stands: each step and what still blocks it",
    description="Steps: offers (the cart), organization (approval, ERP ID, billing address, "
    "reseller MPN ID, a proven email address), service_details (the tenant), review "
    "(agreements), place (the caller's role). `may_place` is true when nothing blocks. "
    "organization_id: a customer you serve, to see what blocks it (your own by default).",
)
async def get_checkout(
    request: Request,
    # Asking the agreement's status may record it (and, with Partner Center, refresh it).
    session: WritingDbSession,
    actor: CurrentActor,
    organization_id: uuid.UUID | None = None,
) -> CheckoutRead:
    organization = await organizations.get(session, actor, organization_id or actor.organization_id)
    state = await steps.state(session, actor, organization, _partner_center(request))
    return checkout_read(state)


def _choices(data: OrderCreate) -> list[carts.Choice] | None:
    if data.lines is None:
        return None
    return [
        carts.Choice(line.offer_id, line.term, line.billing_cycle, line.quantity)
        for line in data.lines
    ]


@router.post(
    "/orders",
    status_code=201,
    summary="Place an order (send an Idempotency-Key)",
    description="Orders the customer's cart (emptied) or the given lines. The customer's own "
    "people place an order that waits for payment (or is paid at once when the customer skips "
    "payment); the staff of a customer's seller place one that waits for the customer to "
    "confirm it. The same Idempotency-Key within 24 hours answers with the first order "
    "(header Idempotent-Replayed); concurrent requests with one key make one order. 409 names "
    "what blocks (reason), as GET /checkout lists it.",
)
async def place_order(
    request: Request,
    data: OrderCreate,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    idempotency_key: Annotated[str | None, Header(alias=idempotency.HEADER)] = None,
) -> OrderRead:
    fingerprint = idempotency.fingerprint("POST", request.url.path, data.model_dump(mode="json"))
    # Placing for one organization is serialized (its row locked), so a concurrent request with
    # the same key finds the first one's answer here.
    organization = await organizations.get_for_update(
        session, actor, data.organization_id or actor.organization_id
    )
    replayed = await idempotency.replay(
        session, actor, idempotency_key, fingerprint, max_age=KEY_LIFETIME
    )
    if replayed is not None:
        return replayed  # type: ignore[return-value]
    order = await checkout.place(
        session, actor, organization, choices=_choices(data),
        partner_center=_partner_center(request),
    )  # fmt: skip
    body = await reads.read(session, actor, order, organization, settings, with_timeline=True)
    payload = body.model_dump(mode="json")
    idempotency.remember(session, actor, idempotency_key, fingerprint, 201, payload)
    return JSONResponse(payload, status_code=201)  # type: ignore[return-value]


@router.get("/orders", summary="Orders in your scope, newest first, with filters")
async def list_orders(
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    status: Annotated[list[OrderStatus] | None, Query()] = None,
    organization_id: uuid.UUID | None = None,
    reseller_id: uuid.UUID | None = None,
    placed_from: date | None = None,
    placed_to: date | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[OrderRead]:
    filters = OrderFilter(
        status=status or [], organization_id=organization_id, reseller_id=reseller_id,
        placed_from=placed_from, placed_to=placed_to,
    )  # fmt: skip
    rows, next_cursor = await repository.page(session, actor, filters, cursor=cursor, limit=limit)
    items = [await reads.read(session, actor, o, org, settings) for o, org in rows]
    return Page(items=items, next_cursor=next_cursor)


async def _answer(
    session: DbSession, actor: CurrentActor, settings: AppSettings, order_id: uuid.UUID
) -> OrderRead:
    order = await repository.get(session, actor, order_id)
    organization = await session.get(Organization, order.organization_id)
    assert organization is not None
    return await reads.read(session, actor, order, organization, settings, with_timeline=True)


@router.get("/orders/{order_id}", summary="One order, with its timeline")
async def get_order(
    order_id: uuid.UUID, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> OrderRead:
    return await _answer(session, actor, settings, order_id)


@router.post(
    "/orders/{order_id}/confirm",
    summary="Confirm an order your seller placed for you (awaiting_customer -> pending_payment)",
    description="By the customer's admins, once Service Details and the agreements are done "
    "(409 names what blocks). A customer that skips payment goes straight to paid.",
)
async def confirm_order(
    request: Request,
    order_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
) -> OrderRead:
    order = await repository.get(session, actor, order_id)
    await checkout.confirm(session, actor, order, _partner_center(request))
    return await _answer(session, actor, settings, order_id)


@router.post(
    "/orders/{order_id}/mark-paid",
    summary="Mark an order paid (the seller's staff, manual provider): pending_payment -> paid",
    description="Hands the order to provisioning. Audited with the reference.",
)
async def mark_order_paid(
    order_id: uuid.UUID,
    data: MarkPaid,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
) -> OrderRead:
    await service.mark_paid(session, actor, order_id, data.reference, settings)
    return await _answer(session, actor, settings, order_id)


@router.post(
    "/orders/{order_id}/retry",
    summary="Retry a failed order (staff): failed -> paid, handed to provisioning again",
)
async def retry_order(
    order_id: uuid.UUID, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> OrderRead:
    await service.retry(session, actor, order_id)
    return await _answer(session, actor, settings, order_id)


@router.post(
    "/orders/{order_id}/cancel",
    summary="Cancel an order waiting for the customer or for payment (or, staff, a failed one)",
    description="Cancelling refunds nothing: a payment already taken is settled by the seller.",
)
async def cancel_order(
    order_id: uuid.UUID,
    data: Cancel,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
) -> OrderRead:
    await service.cancel(session, actor, order_id, data.reason)
    return await _answer(session, actor, settings, order_id)
