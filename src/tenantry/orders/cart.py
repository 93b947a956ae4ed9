"""An organization's cart: offers on a term and billing cycle, with quantities, shared by its
people; and the order lines it becomes.

Whoever may order for a customer (``orders.place``: its admins) fills its cart, approved or not
(ordering is what waits for approval, see ``checkout``); everyone of it may look at the cart.
Sellers' staff fill a customer's cart only while acting for it.

Prices are never stored in the cart: each look reads the catalog and the price list again, so
the cart shows what ordering now would cost, and says when an offer in it is no longer sold, no
longer sold on its term, has no price in the customer's currency, or is now sold in other
quantities. Such a line keeps the order from being placed until it is changed or removed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed, invalid
from tenantry.models import CartItem, Organization, OrganizationKind, utcnow
from tenantry.orders.catalog import offers as catalog
from tenantry.orders.catalog import terms
from tenantry.orders.catalog.offers import Offer, Plan
from tenantry.orders.catalog.pricing import customer_buyer
from tenantry.security import Actor, Permission, require

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CartProblem:
    """Why a line cannot be ordered as it is, said so the customer can act."""

    code: str
    message: str


@dataclass(frozen=True)
class CartLine:
    item: CartItem
    # None: the catalog never listed the offer (or no longer knows it).
    offer: Offer | None
    currency: str
    plan: Plan | None
    problem: CartProblem | None = None

    @property
    def title(self) -> str:
        return self.offer.title if self.offer else self.item.offer_id

    @property
    def slug(self) -> str:
        return self.item.offer_id.replace(":", "-")

    @property
    def plan_label(self) -> str:
        return terms.plan_label(self.item.term, self.item.billing_cycle)

    @property
    def period(self) -> str:
        return terms.PERIODS.get(self.item.billing_cycle, "month")

    @property
    def unit_price(self) -> Decimal | None:
        return self.plan.unit_price if self.plan else None

    @property
    def total(self) -> Decimal:
        return (self.unit_price or ZERO) * self.item.quantity


@dataclass(frozen=True)
class Cart:
    lines: list[CartLine]
    currency: str

    @property
    def total(self) -> Decimal:
        """What the lines that can be ordered cost per billing period, added up."""
        return sum((line.total for line in self.lines if line.problem is None), ZERO)

    @property
    def count(self) -> int:
        return sum(line.item.quantity for line in self.lines)

    @property
    def problems(self) -> list[CartProblem]:
        return [line.problem for line in self.lines if line.problem is not None]


SELLER_HINT = "to buy for a customer, open it and choose 'Open as this customer'"
READ_ONLY_HINT = "you can look at the cart and the orders; an admin of your organization orders"


def require_buyer(actor: Actor) -> None:
    """Refuse (403) anyone who may not change the cart or order: a seller in its own organization,
    or a role without ``orders.place``."""
    if actor.organization_kind is not OrganizationKind.CUSTOMER:
        raise Forbidden(f"only customers buy; {SELLER_HINT}", reason="not_a_customer")
    require(actor, Permission.ORDERS_PLACE, hint=READ_ONLY_HINT)


def may_buy(actor: Actor | None) -> bool:
    """Whether the pages offer ``actor`` the cart's forms and Buy Now: what require_buyer allows."""
    if actor is None:
        return False
    try:
        require_buyer(actor)
    except Forbidden:
        return False
    return True


def _offered_terms(offer: Offer) -> str:
    offered = dict.fromkeys(terms.TERMS[p.term] for p in offer.offered_plans)
    return ", ".join(offered) or "no term at the moment"


def check_choice(offer: Offer, term: str, billing_cycle: str, quantity: int) -> Plan:
    """The plan a line may be ordered on: 422 naming each field and the rule it breaks (a term or
    billing cycle Tenantry does not sell, one this SKU is not offered on in the buyer's
    currency, a quantity outside the SKU's limits)."""
    if not offer.for_sale_at_all:
        reason = "a trial is not sold here" if offer.is_trial else "it is not sold any more"
        raise ValidationFailed([FieldError("offer_id", "sold", f"{offer.title}: {reason}")])
    errors: list[FieldError] = []
    if term not in terms.TERMS:
        errors.append(FieldError("term", "choice", f"the term is one of {terms.choices()}"))
    if billing_cycle not in terms.BILLING_CYCLES:
        errors.append(
            FieldError("billing_cycle", "choice", "the billing cycle is monthly or annual")
        )
    plan = offer.plan(term, billing_cycle)
    if not errors and (plan is None or not plan.offered):
        if not any(p.term == term for p in offer.offered_plans):
            errors.append(
                FieldError(
                    "term", "offered", f"{offer.title} is sold on these terms: "
                    f"{_offered_terms(offer)}"
                )
            )  # fmt: skip
        else:
            cycles = sorted(p.billing_cycle for p in offer.offered_plans if p.term == term)
            errors.append(
                FieldError(
                    "billing_cycle", "offered",
                    f"on a {terms.term_length(term)} term {offer.title} is billed "
                    f"{' or '.join(cycles)}",
                )
            )  # fmt: skip
    if not offer.minimum_quantity <= quantity <= offer.maximum_quantity:
        errors.append(
            FieldError(
                "quantity", "range", f"{offer.title} is sold in quantities of "
                f"{offer.minimum_quantity} to {offer.maximum_quantity}",
            )
        )  # fmt: skip
    if errors or plan is None:
        raise ValidationFailed(errors)
    return plan


def _problem(offer: Offer | None, item: CartItem, currency: str, seller: str) -> CartProblem | None:
    if offer is None or not offer.for_sale_at_all:
        title = offer.title if offer else item.offer_id
        return CartProblem(
            "offer_not_sold", f"{title} is no longer sold: remove it from the cart to order."
        )
    plan = offer.plan(item.term, item.billing_cycle)
    label = terms.plan_label(item.term, item.billing_cycle)
    if plan is None or not plan.sold:
        return CartProblem(
            "term_not_sold",
            f"{offer.title} is no longer sold on a {label}: remove it and add it on another term.",
        )
    if plan.unit_price is None:
        return CartProblem(
            "offer_not_priced",
            f"{offer.title} on a {label} has no price in {currency}: remove it, or ask "
            f"{seller} to price it.",
        )
    if not offer.minimum_quantity <= item.quantity <= offer.maximum_quantity:
        return CartProblem(
            "quantity_out_of_range",
            f"{offer.title} is now sold in quantities of {offer.minimum_quantity} to "
            f"{offer.maximum_quantity}: change the quantity to order.",
        )
    return None


async def load(session: AsyncSession, organization: Organization) -> Cart:
    """The cart with today's catalog and prices for the organization (its currency, segment
    and seller)."""
    items = list(
        await session.scalars(
            select(CartItem)
            .where(CartItem.organization_id == organization.id)
            .order_by(CartItem.created_at, CartItem.id)
        )
    )
    return await _priced(session, organization, items)


@dataclass(frozen=True)
class Choice:
    """One line a seller or an API client orders without filling the cart. A term or billing
    cycle left out is the offer's preferred one."""

    offer_id: str
    term: str | None
    billing_cycle: str | None
    quantity: int


async def quote(session: AsyncSession, organization: Organization, choices: list[Choice]) -> Cart:
    """A cart of ``choices`` priced for ``organization`` like its own cart, kept nowhere (422
    naming ``lines.<n>.<field>`` for an offer not in the catalog or a plan or quantity it is not
    sold on)."""
    buyer = await customer_buyer(session, organization)
    found = await catalog.load(session, buyer, {choice.offer_id for choice in choices})
    errors: list[FieldError] = []
    items: list[CartItem] = []
    for index, choice in enumerate(choices):
        offer = found.get(choice.offer_id)
        if offer is None:
            errors.append(FieldError(f"lines.{index}.offer_id", "known_offer",
                                     "there is no such offer in the catalog"))  # fmt: skip
            continue
        term, cycle = _default_plan(offer, choice.term, choice.billing_cycle)
        try:
            check_choice(offer, term, cycle, choice.quantity)
        except ValidationFailed as exc:
            errors += [
                FieldError(f"lines.{index}.{e.field}", e.rule, e.message) for e in exc.errors
            ]
            continue
        items.append(CartItem(organization_id=organization.id, offer_id=offer.id, term=term,
                              billing_cycle=cycle, quantity=choice.quantity))  # fmt: skip
    if errors:
        raise ValidationFailed(errors)
    return await _priced(session, organization, items)


async def _priced(session: AsyncSession, organization: Organization, items: list[CartItem]) -> Cart:
    buyer = await customer_buyer(session, organization)
    found = await catalog.load(session, buyer, {item.offer_id for item in items}) if items else {}
    lines = []
    for item in items:
        offer = found.get(item.offer_id)
        plan = offer.plan(item.term, item.billing_cycle) if offer else None
        problem = _problem(offer, item, buyer.currency, buyer.seller_name)
        lines.append(CartLine(item, offer, buyer.currency, plan, problem))
    return Cart(lines, buyer.currency)


def order_lines(cart: Cart) -> list[dict[str, Any]]:
    """The order's lines, one per cart line, at the prices shown now (409 naming the first line
    that cannot be ordered). Each line: ``offer_id`` (product:sku), ``title``, ``term``,
    ``billing_cycle``, ``quantity``, ``unit_price`` and ``total`` (Decimal strings: per
    license, and for the line, per billing period), ``currency`` and ``catalog_item_id``
    (product:sku:availability, what a Partner Center cart line names)."""
    if cart.problems:
        first = cart.problems[0]
        raise Conflict(first.message[:1].lower() + first.message[1:].rstrip("."), reason=first.code)
    lines = []
    for line in cart.lines:
        assert line.offer is not None and line.plan is not None and line.unit_price is not None
        lines.append(
            {
                "offer_id": line.item.offer_id,
                "title": line.offer.title,
                "term": line.item.term,
                "billing_cycle": line.item.billing_cycle,
                "quantity": line.item.quantity,
                "unit_price": str(line.unit_price),
                "total": str(line.total),
                "currency": cart.currency,
                "catalog_item_id": line.plan.catalog_item_id,
            }
        )
    return lines


async def _offer(session: AsyncSession, organization: Organization, offer_id: str) -> Offer:
    buyer = await customer_buyer(session, organization)
    return await catalog.by_slug(session, buyer, offer_id)


def _default_plan(offer: Offer, term: str | None, billing_cycle: str | None) -> tuple[str, str]:
    """The plan asked for, its missing parts taken from the offer's preferred plan."""
    candidates = [p for p in offer.offered_plans if term is None or p.term == term]
    chosen = candidates[0] if candidates else offer.default_plan
    default_term, default_cycle = (chosen.term, chosen.billing_cycle) if chosen else ("P1Y", "")
    return term or default_term, billing_cycle or default_cycle


async def add(
    session: AsyncSession,
    actor: Actor,
    organization: Organization,
    offer_id: str,
    *,
    term: str | None,
    billing_cycle: str | None,
    quantity: int,
) -> CartItem:
    """Put ``quantity`` licenses of the offer on a plan in the cart, on top of any already
    there; a plan left out is the offer's preferred one."""
    require_buyer(actor)
    try:
        offer = await _offer(session, organization, offer_id)
    except NotFound as exc:
        raise invalid("offer_id", "exists", exc.detail) from exc
    term, billing_cycle = _default_plan(offer, term, billing_cycle)
    item = await session.scalar(
        select(CartItem).where(
            CartItem.organization_id == organization.id,
            CartItem.offer_id == offer.id,
            CartItem.term == term,
            CartItem.billing_cycle == billing_cycle,
        )
    )
    total = quantity + (item.quantity if item else 0)
    check_choice(offer, term, billing_cycle, total)
    if item is None:
        item = CartItem(
            organization_id=organization.id, offer_id=offer.id, term=term,
            billing_cycle=billing_cycle, quantity=quantity, added_by_id=actor.user_id,
        )  # fmt: skip
        session.add(item)
    else:
        item.quantity = total
        item.updated_at = utcnow()
    await session.flush()
    return item


async def change(
    session: AsyncSession,
    actor: Actor,
    organization: Organization,
    item_id: uuid.UUID,
    *,
    quantity: int,
) -> CartItem | None:
    """Set the quantity of a line; zero removes it. A line that is gone (removed by someone
    else a moment ago) is left alone: None."""
    require_buyer(actor)
    item = await session.scalar(
        select(CartItem).where(CartItem.organization_id == organization.id, CartItem.id == item_id)
    )
    if item is None:
        return None
    if quantity == 0:
        await session.delete(item)
        await session.flush()
        return None
    offer = await _offer(session, organization, item.offer_id)
    check_choice(offer, item.term, item.billing_cycle, quantity)
    item.quantity = quantity
    item.updated_at = utcnow()
    await session.flush()
    return item


async def empty(session: AsyncSession, organization: Organization) -> None:
    await session.execute(delete(CartItem).where(CartItem.organization_id == organization.id))
