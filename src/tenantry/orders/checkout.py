"""Placing an order from the cart, and what has to be true first.

An order needs an approved (active) organization, a person whose email address is proven and the
Service Details step done (the Microsoft tenant the order is for: one linked, or a new tenant's
prefix held, asked of Partner Center again when the order is placed) and the agreements accepted
(the Microsoft Customer Agreement: asked of Partner Center again when it is not known to be
accepted, so a customer that signed it in the admin center a minute ago passes); until then the
cart can be filled and the checkout explains what is missing, with the link to act. Placing the
same checkout form twice (a double click, a retried request) gives the one order.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import idempotency
from tenantry.agreements import gate
from tenantry.audit.service import record
from tenantry.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from tenantry.identity.email.verification import EmailNotVerified
from tenantry.models import (
    Order,
    OrderStatus,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    User,
)
from tenantry.orders import cart as carts
from tenantry.organizations import repository
from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.resellers.checkout import reseller_blockers
from tenantry.security import Actor, organization_scope
from tenantry.tenants import service_details

KEY_PREFIX = "checkout:"


# What the link of a reseller-side blocker says (the link names where it goes).
RESELLER_BLOCKER_LINKS = {
    "billing_address_incomplete": "Complete the billing address",
    "reseller_mpn_invalid": "See the reseller's MPN ID",
}


@dataclass(frozen=True)
class Blocker:
    """Something that keeps the organization from ordering, said so the customer can act."""

    code: str
    message: str
    # Where the customer does what is missing, when a page of its own does it.
    link: str | None = None
    link_label: str | None = None


async def blockers(
    session: AsyncSession, actor: Actor, organization: Organization, cart: carts.Cart,
    client: PartnerCenterClient | None = None,
) -> list[Blocker]:  # fmt: skip
    """What keeps the organization from ordering now. With ``client``, an agreement not known to
    be accepted is asked of Partner Center first."""
    found: list[Blocker] = []
    if organization.status is OrganizationStatus.PENDING_APPROVAL:
        seller = await session.get(Organization, organization.parent_id)
        name = seller.display_name if seller else "your seller"
        found.append(
            Blocker(
                "organization_pending_approval",
                f"{organization.display_name} is waiting for approval by {name}. You can fill "
                "your cart now and order once it is approved; we will email you.",
            )
        )
    elif organization.status is not OrganizationStatus.ACTIVE:
        found.append(
            Blocker("organization_not_active", f"{organization.display_name} cannot order now.")
        )
    user = await session.get(User, actor.user_id) if actor.user_id else None
    if user is not None and user.email_verified_at is None:
        found.append(
            Blocker(
                EmailNotVerified.code,
                f"Confirm your email address {user.email} first: use the link we emailed you.",
            )
        )
    if not cart.lines:
        found.append(Blocker("cart_empty", "Your cart is empty."))
    if organization.kind is OrganizationKind.CUSTOMER and (
        needed := await service_details.missing(session, organization)
    ):
        found.append(
            Blocker(
                SERVICE_DETAILS,
                needed,
                link=service_details.SERVICE_DETAILS_PATH,
                link_label="Go to Service Details",
            )
        )
    found += [
        Blocker(b.code, b.message, b.link, link_label=RESELLER_BLOCKER_LINKS.get(b.code))
        for b in await reseller_blockers(session, organization)
    ]
    found += [
        Blocker(m.code, m.message, m.link, m.link_label)
        for m in await gate.missing_agreements(session, organization, actor, client=client)
    ]
    return found


async def blockers_asking(
    session: AsyncSession, actor: Actor, organization: Organization, cart: carts.Cart,
    partner_center: PartnerCenterAccess | None,
) -> list[Blocker]:  # fmt: skip
    """:func:`blockers`, asking Partner Center (a person waits: a short lookup) when it can."""
    if partner_center is None:
        return await blockers(session, actor, organization, cart)
    async with partner_center.client(lookup=True) as client:
        return await blockers(session, actor, organization, cart, client)


SERVICE_DETAILS = "service_details"


async def place_order(
    session: AsyncSession, actor: Actor, checkout_key: str,
    partner_center: PartnerCenterAccess | None = None,
) -> Order:  # fmt: skip
    """Turn the cart into an order (status ``submitted``), keeping the prices shown. With
    ``partner_center``, a held new-tenant prefix is asked again (still free?) first."""
    carts.require_buyer(actor)
    if actor.user_id is None:
        raise Forbidden("orders are placed by a signed-in person")
    try:
        key = str(uuid.UUID(checkout_key))
    except ValueError:
        raise ValidationFailed(
            [FieldError("checkout_key", "uuid", "reload the cart and place the order again")]
        ) from None
    organization = await repository.get_for_update(session, actor, actor.organization_id)
    earlier = await idempotency.earlier_resource(session, str(actor.user_id), KEY_PREFIX + key)
    if earlier is not None and (order := await session.get(Order, earlier)) is not None:
        return order
    cart = await carts.load(session, organization)
    found = await blockers_asking(session, actor, organization, cart, partner_center)
    if not found and partner_center is not None:
        async with partner_center.client(lookup=True) as client:
            taken = await service_details.recheck_held_prefix(session, organization, client)
        if taken:
            found.append(Blocker(SERVICE_DETAILS, taken, link=service_details.SERVICE_DETAILS_PATH))
    if found:
        first = found[0]
        error = EmailNotVerified if first.code == EmailNotVerified.code else Conflict
        extra: dict[str, Any] = {"link": first.link} if first.link else {}
        raise error(
            first.message[:1].lower() + first.message[1:].rstrip("."), reason=first.code, **extra
        )
    order = Order(
        platform_id=organization.platform_id,
        organization_id=organization.id,
        placed_by_id=actor.user_id,
        status=OrderStatus.SUBMITTED,
        currency=cart.currency,
        total=cart.total,
        lines=[
            {
                "offer_id": line.offer.id,
                "title": line.offer.title,
                "term": line.item.term,
                "quantity": line.item.quantity,
                "unit_price": str(line.unit_price),
                "total": str(line.total),
            }
            for line in cart.lines
        ],
    )
    session.add(order)
    await session.flush()
    idempotency.remember_resource(session, str(actor.user_id), KEY_PREFIX + key, order.id)
    await carts.empty(session, organization)
    await record(
        session, actor, action="order.submitted", target_type="order", target_id=order.id,
        organization_id=organization.id,
        changes={"after": {"total": order.total, "currency": order.currency, "lines": order.lines}},
    )  # fmt: skip
    return order


async def get_order(session: AsyncSession, actor: Actor, order_id: uuid.UUID) -> Order:
    """An order of an organization the actor may see (404 otherwise)."""
    order = await session.get(Order, order_id)
    if order is None:
        raise NotFound(f"order {order_id} not found")
    await repository.get(session, actor, order.organization_id)  # scoped: 404 when not visible
    return order


RECENT_ORDERS = 100


async def recent_orders(session: AsyncSession, actor: Actor) -> list[tuple[Order, Organization]]:
    """The newest orders of the organizations the actor may see: a customer's own, a seller's
    customers' (and, for the platform, everyone's)."""
    rows = await session.execute(
        select(Order, Organization)
        .join(Organization, Organization.id == Order.organization_id)
        .where(organization_scope(actor))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(RECENT_ORDERS)
    )
    return [(order, organization) for order, organization in rows]
