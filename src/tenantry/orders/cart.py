"""An organization's cart: offers and terms with quantities, shared by its people.

Whoever may order for a customer (``orders.place``: its admins) fills its cart, approved or not
(ordering is what waits for approval, see ``checkout``); everyone of it may look at the cart.
Sellers' staff fill a customer's cart only while acting for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import FieldError, Forbidden, ValidationFailed
from tenantry.models import CartItem, Organization, OrganizationKind, utcnow
from tenantry.orders.catalog import TERMS, Offer, offer_by_id
from tenantry.security import Actor, Permission, require


@dataclass(frozen=True)
class CartLine:
    item: CartItem
    offer: Offer
    currency: str
    unit_price: Decimal

    @property
    def term_label(self) -> str:
        return TERMS[self.item.term]

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.item.quantity


@dataclass(frozen=True)
class Cart:
    lines: list[CartLine]
    currency: str

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal("0.00"))

    @property
    def count(self) -> int:
        return sum(line.item.quantity for line in self.lines)


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


def check_choice(offer: Offer, term: str, quantity: int) -> None:
    errors = []
    if term not in TERMS:
        errors.append(FieldError("term", "term", f"the term is one of {', '.join(TERMS)}"))
    if not offer.minimum_quantity <= quantity <= offer.maximum_quantity:
        errors.append(
            FieldError(
                "quantity",
                "range",
                f"{offer.title} is sold in quantities of {offer.minimum_quantity} to "
                f"{offer.maximum_quantity}",
            )
        )
    if errors:
        raise ValidationFailed(errors)


async def load(session: AsyncSession, organization: Organization) -> Cart:
    rows = await session.execute(
        select(CartItem)
        .where(CartItem.organization_id == organization.id)
        .order_by(CartItem.created_at, CartItem.id)
    )
    currency = "USD"
    lines: list[CartLine] = []
    for item in rows.scalars():
        offer = offer_by_id(item.offer_id)
        if offer is None:  # withdrawn from the catalog since it was added
            continue
        currency = offer.currency_for(organization.preferred_currency)
        lines.append(CartLine(item, offer, currency, offer.unit_price(currency, item.term)))
    return Cart(lines, currency)


def _line(organization: Organization, offer: Offer, term: str) -> ColumnElement[bool]:
    return and_(
        CartItem.organization_id == organization.id,
        CartItem.offer_id == offer.id,
        CartItem.term == term,
    )


async def _item(
    session: AsyncSession, organization: Organization, offer: Offer, term: str
) -> CartItem | None:
    query = select(CartItem).where(_line(organization, offer, term))
    return (await session.execute(query)).scalar_one_or_none()


async def add(
    session: AsyncSession,
    actor: Actor,
    organization: Organization,
    offer: Offer,
    *,
    term: str,
    quantity: int,
) -> CartItem:
    """Put ``quantity`` licenses of ``offer`` in the cart, on top of any already there."""
    require_buyer(actor)
    item = await _item(session, organization, offer, term)
    total = quantity + (item.quantity if item else 0)
    check_choice(offer, term, total)
    if item is None:
        item = CartItem(
            organization_id=organization.id, offer_id=offer.id, term=term, quantity=quantity,
            added_by_id=actor.user_id,
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
    offer: Offer,
    *,
    term: str,
    quantity: int,
) -> None:
    """Set the quantity of a line; zero removes it. Changing a line that is gone is a no-op."""
    require_buyer(actor)
    if quantity == 0:
        await session.execute(delete(CartItem).where(_line(organization, offer, term)))
        return
    check_choice(offer, term, quantity)
    item = await _item(session, organization, offer, term)
    if item is not None:
        item.quantity = quantity
        item.updated_at = utcnow()
        await session.flush()


async def empty(session: AsyncSession, organization: Organization) -> None:
    await session.execute(delete(CartItem).where(CartItem.organization_id == organization.id))
