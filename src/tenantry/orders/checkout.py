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
from tenantry.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from tenantry.identity.email.verification import EmailNotVerified
from tenantry.models import (
    Order,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    PlatformConfig,
    User,
)
from tenantry.orders import cart as carts
from tenantry.orders import flow, payment_rules
from tenantry.organizations import repository
from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.resellers.checkout import reseller_blockers
from tenantry.security import Actor, Permission, organization_scope
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


@dataclass(frozen=True)
class Gates:
    """Which checks apply. A seller placing an order for a customer leaves the customer's own
    steps (Service Details, agreements) to the customer, who confirms the order later; confirming
    an order needs no cart."""

    customer_steps: bool = True
    cart: bool = True


EVERYTHING = Gates()
SELLER_PLACING = Gates(customer_steps=False)
CONFIRMING = Gates(cart=False)


async def blockers(
    session: AsyncSession, actor: Actor, organization: Organization, cart: carts.Cart,
    client: PartnerCenterClient | None = None, gates: Gates = EVERYTHING,
) -> list[Blocker]:  # fmt: skip
    """What keeps the organization from ordering now. With ``client``, an agreement not known to
    be accepted is asked of Partner Center first."""
    found: list[Blocker] = []
    parent_id = organization.parent_id  # none for the platform owner itself
    seller = await session.get(Organization, parent_id) if parent_id else None
    seller_name = seller.display_name if seller else "your seller"
    if organization.status is OrganizationStatus.PENDING_APPROVAL:
        found.append(
            Blocker(
                "organization_pending_approval",
                f"{organization.display_name} is waiting for approval by {seller_name}. You can "
                "fill your cart now and order once it is approved; we will email you.",
            )
        )
    elif organization.status is not OrganizationStatus.ACTIVE:
        found.append(
            Blocker("organization_not_active", f"{organization.display_name} cannot order now.")
        )
    if missing_erp := await _erp_id_missing(session, actor, organization, seller_name):
        found.append(missing_erp)
    user = await session.get(User, actor.user_id) if actor.user_id else None
    if user is not None and user.email_verified_at is None:
        found.append(
            Blocker(
                EmailNotVerified.code,
                f"Confirm your email address {user.email} first: use the link we emailed you.",
            )
        )
    if gates.cart and not cart.lines:
        found.append(Blocker("cart_empty", "Your cart is empty."))
    found += [Blocker(problem.code, problem.message) for problem in cart.problems]
    if (
        gates.customer_steps
        and organization.kind is OrganizationKind.CUSTOMER
        and (needed := await service_details.missing(session, organization))
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
    if gates.customer_steps:
        found += [
            Blocker(m.code, m.message, m.link, m.link_label)
            for m in await gate.missing_agreements(session, organization, actor, client=client)
        ]
    return found


ERP_ID_MISSING = "erp_id_missing"


async def _erp_id_missing(
    session: AsyncSession, actor: Actor, organization: Organization, seller_name: str
) -> Blocker | None:
    """The platform requires an ERP ID on every ordering customer (``erp_id_required_for_orders``);
    the seller records it."""
    if organization.kind is not OrganizationKind.CUSTOMER or organization.erp_id:
        return None
    config = await session.get(PlatformConfig, organization.platform_id)
    if config is None or not config.erp_id_required_for_orders:
        return None
    if actor.organization_id == organization.id and not actor.acting_on_behalf:
        return Blocker(
            ERP_ID_MISSING,
            f"{seller_name} has not recorded {organization.display_name}'s ERP ID yet, which "
            f"every order needs. Ask {seller_name} to record it.",
        )
    return Blocker(
        ERP_ID_MISSING,
        f"Record {organization.display_name}'s ERP ID first: the platform requires one on every "
        "ordering customer.",
        link=f"/organizations/{organization.id}",
        link_label="Edit the organization",
    )


async def blockers_asking(
    session: AsyncSession, actor: Actor, organization: Organization, cart: carts.Cart,
    partner_center: PartnerCenterAccess | None, gates: Gates = EVERYTHING,
) -> list[Blocker]:  # fmt: skip
    """:func:`blockers`, asking Partner Center (a person waits: a short lookup) when it can; a
    held new-tenant prefix is asked again (still free?) when nothing else blocks."""
    if partner_center is None:
        return await blockers(session, actor, organization, cart, gates=gates)
    async with partner_center.client(lookup=True) as client:
        found = await blockers(session, actor, organization, cart, client, gates)
        if not found and gates.customer_steps:
            taken = await service_details.recheck_held_prefix(session, organization, client)
            if taken:
                found.append(
                    Blocker(SERVICE_DETAILS, taken, link=service_details.SERVICE_DETAILS_PATH)
                )
    return found


SERVICE_DETAILS = "service_details"


def refuse(found: list[Blocker]) -> None:
    """Raise the first blocker as the request's answer (409, or 403 for an unproven address)."""
    if not found:
        return
    first = found[0]
    error = EmailNotVerified if first.code == EmailNotVerified.code else Conflict
    extra: dict[str, Any] = {"link": first.link} if first.link else {}
    raise error(
        first.message[:1].lower() + first.message[1:].rstrip("."), reason=first.code, **extra
    )


async def place_order(
    session: AsyncSession, actor: Actor, checkout_key: str,
    partner_center: PartnerCenterAccess | None = None,
) -> Order:  # fmt: skip
    """The cart page's "Place order": :func:`place` from the organization's cart, once per
    ``checkout_key`` (the form's one-time key: a double click gives the one order)."""
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
    order = await place(session, actor, organization, partner_center=partner_center)
    idempotency.remember_resource(session, str(actor.user_id), KEY_PREFIX + key, order.id)
    return order


def serves(actor: Actor, organization: Organization) -> bool:
    """Whether ``actor`` is the staff of a seller ordering for ``organization``, a customer it
    serves (its reseller, or the platform)."""
    return (
        actor.can(Permission.ORDERS_MANAGE)
        and not actor.acting_on_behalf
        and organization.kind is OrganizationKind.CUSTOMER
        and organization.platform_id == actor.platform_id
        and (actor.is_platform or organization.parent_id == actor.organization_id)
    )


async def place(
    session: AsyncSession, actor: Actor, organization: Organization, *,
    choices: list[carts.Choice] | None = None,
    partner_center: PartnerCenterAccess | None = None,
) -> Order:  # fmt: skip
    """Place an order for ``organization`` (its row locked by the caller), keeping the prices
    shown: from its cart (emptied), or of ``choices``.

    The customer's own people (and staff acting for it) place an order that waits for payment, or
    is paid at once when the customer skips payment. A seller's staff placing for a customer they
    serve leave the Service Details and the agreements to the customer: the order waits for the
    customer to confirm it (``awaiting_customer``).
    """
    for_customer = organization.id != actor.organization_id
    if for_customer:
        if not serves(actor, organization):
            raise Forbidden(
                "only the staff of a customer's seller order for it; "
                + ("your role may not (orders.manage)" if not actor.can(Permission.ORDERS_MANAGE)
                   else f"{organization.display_name} is not a customer you serve"),
                reason="may_not_order_for_customer",
            )  # fmt: skip
    else:
        carts.require_buyer(actor)
    cart = (
        await carts.load(session, organization)
        if choices is None
        else await carts.quote(session, organization, choices)
    )
    gates = SELLER_PLACING if for_customer else EVERYTHING
    refuse(await blockers_asking(session, actor, organization, cart, partner_center, gates))
    order = Order(
        platform_id=organization.platform_id,
        organization_id=organization.id,
        placed_by_id=actor.user_id,
        placed_by_organization_id=actor.organization_id,
        currency=cart.currency,
        total=cart.total,
        lines=carts.order_lines(cart),
    )
    await flow.placed(
        session, actor, order, awaiting_customer=for_customer,
        skip_payment=await payment_rules.skips_payment(session, organization),
    )  # fmt: skip
    if choices is None:
        await carts.empty(session, organization)
    return order


async def confirm(
    session: AsyncSession, actor: Actor, order: Order,
    partner_center: PartnerCenterAccess | None = None,
) -> None:  # fmt: skip
    """The customer confirms an order its seller placed for it, once its own steps are done
    (Service Details, agreements); it then waits for payment (or is paid, skipping payment)."""
    carts.require_buyer(actor)
    if order.organization_id != actor.organization_id:
        raise Forbidden("only the customer the order is for confirms it")
    organization = await repository.get_for_update(session, actor, order.organization_id)
    if flow.allowed(order, "customer_authorized"):
        empty = carts.Cart([], order.currency)
        refuse(
            await blockers_asking(session, actor, organization, empty, partner_center, CONFIRMING)
        )
    await flow.customer_authorized(
        session, actor, order, skip_payment=await payment_rules.skips_payment(session, organization)
    )


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
