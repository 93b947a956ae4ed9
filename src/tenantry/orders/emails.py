"""Telling the customer and its seller where an order stands, at each change of state.

The customer's admins (or, with none, its contact) and the seller's admins (or its contact) each
get one email per change, worded for them: what happened, and what happens next or what they
should do. One email per timeline row and address, so a retried request sends nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import Membership, Order, OrderEvent, Organization, Role, User
from tenantry.notifications import config, send_email
from tenantry.orders.payments import registry

TEMPLATE = "order_status"
ADMIN_ROLES = (Role.CUSTOMER_ADMIN, Role.RESELLER_ADMIN, Role.PLATFORM_ADMIN)
# Events that change the state; the others (a payment started, declined) are on the page only.
STATE_CHANGES = frozenset(
    {"placed", "customer_authorized", "paid", "provisioning_started", "completed", "failed",
     "retried", "cancelled"}
)  # fmt: skip


@dataclass(frozen=True)
class Words:
    subject: str
    happened: str
    customer_next: str
    seller_next: str


def order_ref(order: Order) -> str:
    """The short number people quote for an order (its id's first 8 characters)."""
    return str(order.id)[:8].upper()


def _words(order: Order, event: OrderEvent, customer: Organization, seller: Organization,
           how_to_pay: str) -> Words:  # fmt: skip
    ref, name, seller_name = order_ref(order), customer.display_name, seller.display_name
    if event.to_status.value == "awaiting_customer":
        return Words(
            f"Order {ref} for {name} waits for the customer",
            f"{seller_name} placed order {ref} for {name}.",
            "Check the order and confirm it on its page; your Service Details and the Microsoft "
            "Customer Agreement must be done first. Nothing is bought before you confirm and pay.",
            f"It waits for {name} to confirm it.",
        )
    if event.to_status.value == "pending_payment":
        happened = (
            f"{name} confirmed order {ref}." if event.event == "customer_authorized"
            else f"Order {ref} for {name} was placed."
        )  # fmt: skip
        return Words(
            f"Order {ref} for {name} waits for payment", happened,
            f"It waits for payment: nothing is ordered from Microsoft until it is paid. "
            f"{how_to_pay}",
            f"It waits for payment by {name}. When you have received it, mark the order paid "
            "on its page.",
        )  # fmt: skip
    if event.to_status.value == "paid":
        happened = {
            "retried": f"Order {ref} for {name} is handed to provisioning again.",
            "placed": f"Order {ref} for {name} was placed; it needs no payment first.",
        }.get(event.event, f"Order {ref} for {name} is paid.")
        if order.payment_skipped and event.event == "paid":
            happened = f"Order {ref} for {name} was placed; it needs no payment first."
        waits = "It waits for provisioning with Microsoft; you get an email when that changes."
        return Words(f"Order {ref} for {name} is paid", happened, waits, waits)
    if event.to_status.value == "provisioning":
        text = "The subscriptions are being bought from Microsoft; you get an email when done."
        return Words(f"Order {ref} for {name} is being provisioned",
                     f"Provisioning of order {ref} for {name} started.", text, text)  # fmt: skip
    if event.to_status.value == "completed":
        text = "The subscriptions are active with Microsoft."
        return Words(f"Order {ref} for {name} is completed",
                     f"Microsoft provisioned order {ref} for {name}.", text, text)  # fmt: skip
    if event.to_status.value == "failed":
        reason = event.message or "Provisioning stopped."
        return Words(
            f"Order {ref} for {name} failed", f"Order {ref} for {name} failed: {reason}",
            f"{seller_name} was told and can retry the order once the cause is fixed.",
            "Fix the cause, then retry the order on its page (or cancel it).",
        )  # fmt: skip
    reason = f" Reason: {event.message}" if event.message else ""
    text = "Nothing more will be done for it."
    return Words(f"Order {ref} for {name} is cancelled",
                 f"Order {ref} for {name} was cancelled by {event.actor_label}.{reason}",
                 text, text)  # fmt: skip


async def admins_or_contact(
    session: AsyncSession, organization: Organization
) -> list[tuple[str, str]]:
    """(name, email) of the organization's active admins, or its contact when it has none."""
    rows = await session.execute(
        select(User.full_name, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organization_id == organization.id,
            Membership.role.in_(ADMIN_ROLES),
            User.is_active.is_(True),
        )
        .order_by(User.email)
    )
    found = [(full_name, email) for full_name, email in rows]
    return found or [(organization.contact_name, organization.contact_email)]


async def state_changed(session: AsyncSession, order: Order, event: OrderEvent) -> None:
    """Email the customer's and the seller's people about ``event`` (a state change)."""
    if event.event not in STATE_CHANGES:
        return
    customer = await session.get(Organization, order.organization_id)
    seller = await session.get(Organization, customer.parent_id) if customer else None
    if customer is None or seller is None:
        return
    manual = registry.manual_provider(config.current().settings)
    how_to_pay = manual.instructions(order, seller) if manual else "Pay it on the order's page."
    words = _words(order, event, customer, seller, how_to_pay)
    audiences = (("customer", customer, words.customer_next), ("seller", seller, words.seller_next))
    for audience, organization, next_step in audiences:
        for full_name, email in await admins_or_contact(session, organization):
            await send_email(
                session,
                to=email,
                template=TEMPLATE,
                context={
                    "full_name": full_name, "audience": audience, "subject": words.subject,
                    "happened": words.happened, "next_step": next_step,
                    "order_path": f"/orders/{order.id}", "order_ref": order_ref(order),
                    "total": f"{order.currency} {order.total}",
                },
                idempotency_key=f"order:{event.id}:{email}",
            )  # fmt: skip
