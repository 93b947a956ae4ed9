"""What people do with a placed order, and who may.

- The customer confirms an order its seller placed for it (``checkout.confirm``).
- The seller's staff mark an order paid with the manual provider, with a reference.
- The seller's or the platform's staff retry a failed order.
- The customer's admins cancel an order still waiting for them or for payment; the seller's or
  the platform's staff also cancel a failed one.

Each loads the order in scope (404 otherwise), checks the role (403 naming what is missing), and
moves it through ``orders.flow`` (409 when its state does not allow it).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import Conflict, Forbidden
from tenantry.models import Order, OrderStatus, Organization
from tenantry.orders import flow
from tenantry.orders.lifecycle import repository
from tenantry.orders.payments import registry
from tenantry.security import Actor, Permission
from tenantry.settings import Settings

STAFF_HINT = "the seller's staff do this"


def is_sellers_staff(actor: Actor, organization: Organization) -> bool:
    """Staff of the customer's own seller (its reseller, or the platform for a direct customer)."""
    return (
        actor.can(Permission.ORDERS_MANAGE)
        and not actor.acting_on_behalf
        and organization.parent_id == actor.organization_id
    )


def is_staff_over(actor: Actor, organization: Organization) -> bool:
    """The customer's seller's staff, or the platform's (who run provisioning for everyone)."""
    return is_sellers_staff(actor, organization) or (
        actor.can(Permission.ORDERS_MANAGE) and actor.is_platform and not actor.acting_on_behalf
    )


def is_customers_buyer(actor: Actor, order: Order) -> bool:
    return actor.organization_id == order.organization_id and actor.can(Permission.ORDERS_PLACE)


def actions(
    actor: Actor, order: Order, organization: Organization, settings: Settings
) -> list[str]:
    """What ``actor`` may do with the order now (the buttons a page shows, ``actions`` in the API)."""
    found: list[str] = []
    buyer = is_customers_buyer(actor, order)
    if buyer and not actor.acting_on_behalf and flow.allowed(order, "customer_authorized"):
        found.append("confirm")
    if order.status is OrderStatus.PENDING_PAYMENT:
        if buyer and any(p.customer_starts for p in registry.enabled(settings)):
            found.append("pay")
        if is_sellers_staff(actor, organization) and registry.manual_provider(settings):
            found.append("mark_paid")
    if flow.allowed(order, "retried") and is_staff_over(actor, organization):
        found.append("retry")
    if _may_cancel(actor, order, organization):
        found.append("cancel")
    return found


def _may_cancel(actor: Actor, order: Order, organization: Organization) -> bool:
    if not flow.allowed(order, "cancelled"):
        return False
    if is_staff_over(actor, organization):
        return True
    return is_customers_buyer(actor, order) and order.status is not OrderStatus.FAILED


async def _locked(
    session: AsyncSession, actor: Actor, order_id: uuid.UUID
) -> tuple[Order, Organization]:
    await repository.get(session, actor, order_id)  # 404 unless in scope
    order = await flow.lock(session, order_id)
    organization = await session.get(Organization, order.organization_id)
    assert organization is not None
    return order, organization


async def mark_paid(
    session: AsyncSession, actor: Actor, order_id: uuid.UUID, reference: str, settings: Settings
) -> Order:
    order, organization = await _locked(session, actor, order_id)
    if not is_sellers_staff(actor, organization):
        raise Forbidden(
            f"only the staff of {organization.display_name}'s seller mark its orders paid",
            permission=Permission.ORDERS_MANAGE.value,
        )
    provider = registry.manual_provider(settings)
    if provider is None:
        raise Conflict(
            "no payment provider here takes payments marked by staff",
            reason="no_manual_payments",
        )
    await flow.mark_paid(session, actor, order, provider=provider.name, reference=reference)
    return order


async def retry(session: AsyncSession, actor: Actor, order_id: uuid.UUID) -> Order:
    order, organization = await _locked(session, actor, order_id)
    if not is_staff_over(actor, organization):
        raise Forbidden(
            f"only staff retry an order; {STAFF_HINT}", permission=Permission.ORDERS_MANAGE.value
        )
    await flow.retry(session, actor, order)
    return order


async def cancel(
    session: AsyncSession, actor: Actor, order_id: uuid.UUID, reason: str | None
) -> Order:
    order, organization = await _locked(session, actor, order_id)
    staff = is_staff_over(actor, organization)
    if not staff and not is_customers_buyer(actor, order):
        raise Forbidden(
            "only the customer's admins or its seller's staff cancel an order",
            permission=Permission.ORDERS_PLACE.value,
        )
    if not staff and order.status is OrderStatus.FAILED:
        raise Forbidden(f"a failed order is cancelled by staff; {STAFF_HINT}")
    await flow.cancel(session, actor, order, reason)
    return order
