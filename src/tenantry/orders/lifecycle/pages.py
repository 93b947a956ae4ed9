"""Orders on pages: the list in scope with filters, and one order with where it stands, how to
pay, why it failed and what to do, its timeline, and the buttons its state and the viewer allow
(Confirm, Pay, Mark paid, Retry, Cancel). The buttons call the same services as the API, inside a
savepoint: a refusal leaves nothing behind and the page says why."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements import gate
from tenantry.agreements.customer.pages import acceptance_first, accepts_in_person
from tenantry.deps import AppSettings, DbSession, WritingDbSession
from tenantry.errors import TenantryError, invalid
from tenantry.models import Order, OrderStatus, Organization, OrganizationKind, User
from tenantry.orders import cart as carts
from tenantry.orders import checkout, flow
from tenantry.orders.catalog import terms
from tenantry.orders.lifecycle import reads, repository, service
from tenantry.orders.lifecycle.schemas import OrderFilter
from tenantry.orders.payments import registry
from tenantry.orders.payments import service as payments
from tenantry.orders.payments.base import StepOutcome
from tenantry.orders.provisioning import progress as provisioning_progress
from tenantry.organizations import repository as organizations
from tenantry.security import Actor, Permission, organization_scope
from tenantry.settings import Settings
from tenantry.tenants import service_details
from tenantry.web.forms import problem_of, text
from tenantry.web.rendering import content_security_policy, redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
PAGE_SIZE = 50
EVENT_LABELS = {
    "placed": "Placed",
    "customer_authorized": "Confirmed by the customer",
    "payment_started": "Payment started",
    "payment_declined": "Payment declined",
    "paid": "Paid",
    "provisioning_started": "Provisioning started",
    "completed": "Completed",
    "failed": "Failed",
    "retried": "Handed to provisioning again",
    "cancelled": "Cancelled",
}
DONE = {
    "confirmed": "You confirmed the order.",
    "paid": "The order is marked paid.",
    "retried": "The order is handed to provisioning again.",
    "cancelled": "The order is cancelled.",
    "payment": "The payment is started; the order changes once the provider confirms it.",
    "declined": "The payment was declined; the timeline says why. Try again, or pay another way.",
}
STATUS_OPTIONS = [("", "Any state")] + [(s.value, flow.STATUS_WORDS[s]) for s in OrderStatus]


def _filters(request: Request) -> tuple[OrderFilter, dict[str, str], dict[str, str]]:
    """The list's filters as the query string holds them, and errors beside the bad ones."""
    query = request.query_params
    values = {name: query.get(name, "") for name in
              ("status", "organization_id", "reseller_id", "placed_from", "placed_to")}  # fmt: skip
    errors: dict[str, str] = {}

    def parsed(name: str, kind: Callable[[str], Any], message: str) -> Any:
        if not values[name]:
            return None
        try:
            return kind(values[name])
        except ValueError:
            errors[name] = message
            return None

    filters = OrderFilter(
        status=[s] if (s := parsed("status", OrderStatus, "choose a state from the list")) else [],
        organization_id=parsed("organization_id", uuid.UUID, "choose an organization"),
        reseller_id=parsed("reseller_id", uuid.UUID, "choose a reseller"),
        placed_from=parsed("placed_from", date.fromisoformat, "enter a date as YYYY-MM-DD"),
        placed_to=parsed("placed_to", date.fromisoformat, "enter a date as YYYY-MM-DD"),
    )
    return filters, values, errors


async def _choices(session: AsyncSession, actor: Actor, kind: OrganizationKind) -> list[Any]:
    rows = await session.execute(
        select(Organization.id, Organization.display_name)
        .where(organization_scope(actor), Organization.kind == kind)
        .order_by(Organization.display_name)
    )
    return [(str(i), name) for i, name in rows]


async def _agreement_first(
    request: Request, session: AsyncSession, actor: Actor, here: str
) -> Response | None:
    """A customer admin whose tenant (linked, or new and held) has no accepted agreement goes to
    the acceptance page first, and comes back to ``here``."""
    if not accepts_in_person(actor):
        return None
    organization = await organizations.get(session, actor, actor.organization_id)
    if await service_details.missing(session, organization):
        return None
    async with request.app.state.partner_center.client(lookup=True) as client:
        missing = await gate.missing_agreements(session, organization, actor, client=client)
    return acceptance_first(actor, [m.code for m in missing], here)


@router.get("/orders")
async def orders_page(
    # Asking the agreement's status first may record it, as the checkout API does.
    request: Request, session: WritingDbSession, actor: PageActor, settings: AppSettings,
) -> Response:  # fmt: skip
    if (to_accept := await _agreement_first(request, session, actor, "/orders")) is not None:
        return to_accept
    filters, values, errors = _filters(request)
    cursor = request.query_params.get("cursor") or None
    rows: list[Any] = []
    next_url = None
    try:
        found, next_cursor = await repository.page(
            session, actor, filters, cursor=cursor, limit=PAGE_SIZE
        )
        rows = [(await reads.read(session, actor, o, org, settings), org) for o, org in found]
        if next_cursor:
            next_url = "/orders?" + urlencode(
                {k: v for k, v in values.items() if v} | {"cursor": next_cursor}
            )
    except TenantryError as exc:
        errors |= problem_of(exc)[0]
    seller = actor.organization_kind is not OrganizationKind.CUSTOMER
    context = {
        "section": "orders", "rows": rows, "values": values, "errors": errors,
        "statuses": STATUS_OPTIONS, "next_url": next_url, "first_url": "/orders" if cursor else None,
        "customers": await _choices(session, actor, OrganizationKind.CUSTOMER) if seller else [],
        "resellers": await _choices(session, actor, OrganizationKind.RESELLER)
        if actor.is_platform else [],
        "may_order": carts.may_buy(actor), "may_order_for": seller and actor.can(Permission.ORDERS_MANAGE),
        "seller_hint": carts.SELLER_HINT, "read_only_hint": carts.READ_ONLY_HINT,
        "payment_settings": actor.is_platform and actor.can(Permission.PLATFORM_CONFIGURE),
    }  # fmt: skip
    return render(request, "orders/list.html", context)


def _viewer(actor: Actor, order: Order) -> str:
    """Whom the order page speaks to: ``customer`` (its own organization's people), ``on_behalf``
    (the seller's staff acting for the customer) or ``seller`` (the seller's staff looking)."""
    if actor.acting_on_behalf:
        return "on_behalf"
    return "customer" if actor.organization_id == order.organization_id else "seller"


def standing(order: Order, viewer: str, customer: str, seller: str) -> str:
    """Where the order stands, in one or two sentences for whoever reads the page."""
    status = order.status
    if status is OrderStatus.AWAITING_CUSTOMER:
        if viewer == "seller":
            return f"It waits for {customer} to confirm it; nothing is bought before then."
        return (
            "It waits for you to check and confirm it below. Nothing is sent to Microsoft before "
            "it is confirmed and paid."
        )
    if status is OrderStatus.PENDING_PAYMENT:
        return "It is waiting for payment; nothing is sent to Microsoft before it is paid."
    if status is OrderStatus.PAID:
        return "It is paid and waits for provisioning with Microsoft."
    if status is OrderStatus.PROVISIONING:
        return "It is being provisioned with Microsoft."
    if status is OrderStatus.COMPLETED:
        return "It is completed: Microsoft provisioned it."
    if status is OrderStatus.FAILED:
        return "It failed; the reason and what to do are below."
    return "It was cancelled; nothing more will be done for it."


async def _order_page(
    request: Request, session: AsyncSession, actor: Actor, settings: Settings,
    order_id: uuid.UUID, *, message: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    order = await repository.get(session, actor, order_id)
    organization = await session.get(Organization, order.organization_id)
    assert organization is not None
    seller = await session.get(Organization, organization.parent_id)
    seller_name = seller.display_name if seller else "the seller"
    viewer = _viewer(actor, order)
    placed_by = await session.get(User, order.placed_by_id) if order.placed_by_id else None
    online = [p for p in registry.enabled(settings) if p.customer_starts]
    context = {
        "section": "orders", "order": order, "read": await reads.read(
            session, actor, order, organization, settings, with_timeline=True),
        "organization": organization, "seller": seller, "viewer": viewer, "placed_by": placed_by,
        "placed_by_you": order.placed_by_id is not None and order.placed_by_id == actor.user_id,
        "where_it_stands": standing(order, viewer, organization.display_name, seller_name),
        "event_labels": EVENT_LABELS, "status_words": flow.STATUS_WORDS, "message": message,
        "done": DONE.get(request.query_params.get("done", "")),
        "online": online,
        "plan_label": terms.plan_label, "periods": terms.PERIODS,
        "with_microsoft": await provisioning_progress.summary_of(session, order),
    }  # fmt: skip
    # Chromium applies form-action to the redirect after a form too: Pay by card leads to the
    # card service's page.
    payment_pages = [origin for p in online for origin in p.page_origins()]
    policy = {"Content-Security-Policy": content_security_policy(*payment_pages)}
    return render(request, "orders/order.html", context, status_code=status_code, headers=policy)


@router.get("/orders/{order_id}")
async def order_page(
    request: Request, order_id: uuid.UUID, session: DbSession, actor: PageActor,
    settings: AppSettings,
) -> Response:  # fmt: skip
    return await _order_page(request, session, actor, settings, order_id)


async def _act(
    request: Request, session: AsyncSession, actor: Actor, settings: Settings,
    order_id: uuid.UUID, write: Callable[[], Awaitable[object]], done: str,
) -> Response:  # fmt: skip
    try:
        async with session.begin_nested():
            answer = await write()
    except TenantryError as exc:
        _, message = problem_of(exc)
        detail = "; ".join(e.message for e in exc.errors) or message
        return await _order_page(request, session, actor, settings, order_id, message=detail,
                                 status_code=exc.status)  # fmt: skip
    # A payment answers where to go next: the provider's page, or back here saying what happened.
    return redirect(answer if isinstance(answer, str) else f"/orders/{order_id}?done={done}")


@router.post("/orders/{order_id}/confirm")
async def confirm(
    request: Request, order_id: uuid.UUID, session: DbSession, actor: PageActor,
    settings: AppSettings,
) -> Response:  # fmt: skip
    async def write() -> None:
        order = await repository.get(session, actor, order_id)
        await checkout.confirm(session, actor, order, request.app.state.partner_center)

    return await _act(request, session, actor, settings, order_id, write, "confirmed")


@router.post("/orders/{order_id}/mark-paid")
async def mark_paid(
    request: Request, order_id: uuid.UUID, session: DbSession, actor: PageActor,
    settings: AppSettings,
) -> Response:  # fmt: skip
    reference = text(await request.form(), "reference")

    async def write() -> None:
        if not reference or len(reference) > 200:
            raise invalid(
                "reference", "length", "enter the payment's reference (1 to 200 characters)"
            )
        await service.mark_paid(session, actor, order_id, reference, settings)

    return await _act(request, session, actor, settings, order_id, write, "paid")


@router.post("/orders/{order_id}/retry")
async def retry(
    request: Request, order_id: uuid.UUID, session: DbSession, actor: PageActor,
    settings: AppSettings,
) -> Response:  # fmt: skip
    async def write() -> None:
        await service.retry(session, actor, order_id)

    return await _act(request, session, actor, settings, order_id, write, "retried")


@router.post("/orders/{order_id}/cancel")
async def cancel(
    request: Request, order_id: uuid.UUID, session: DbSession, actor: PageActor,
    settings: AppSettings,
) -> Response:  # fmt: skip
    reason = text(await request.form(), "reason")[:500] or None

    async def write() -> None:
        await service.cancel(session, actor, order_id, reason)

    return await _act(request, session, actor, settings, order_id, write, "cancelled")


@router.post("/orders/{order_id}/pay")
async def pay(
    request: Request, order_id: uuid.UUID, session: DbSession, actor: PageActor,
    settings: AppSettings,
) -> Response:  # fmt: skip
    provider = text(await request.form(), "provider")
    back = f"{settings.base_url.rstrip('/')}/orders/{order_id}"

    async def write() -> str:
        step = await payments.start(session, actor, order_id, provider, settings, return_url=back)
        if step.outcome is StepOutcome.REDIRECT and step.redirect_url:
            return step.redirect_url
        done = {StepOutcome.PAID: "paid", StepOutcome.DECLINED: "declined"}
        return f"/orders/{order_id}?done={done.get(step.outcome, 'payment')}"

    return await _act(request, session, actor, settings, order_id, write, "payment")
