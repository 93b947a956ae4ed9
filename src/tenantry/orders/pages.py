"""Pages: the storefront (public), the cart, the checkout and placed orders."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements import gate
from tenantry.agreements.customer.pages import acceptance_first, accepts_in_person
from tenantry.deps import AppSettings, DbSession
from tenantry.errors import TenantryError, ValidationFailed, invalid
from tenantry.models import Order, Organization, OrganizationKind, User
from tenantry.orders import cart as carts
from tenantry.orders import checkout
from tenantry.orders.catalog import DEFAULT_TERM, OFFERS, TERMS, Offer, offer_by_slug
from tenantry.organizations import repository
from tenantry.registration import storefront
from tenantry.security import Actor
from tenantry.tenants import service_details
from tenantry.web.forms import problem_of, text
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import PageActor, page_router
from tenantry.web.visitor import PageVisitor, Visitor

router = page_router()
TERM_OPTIONS = list(TERMS.items())


async def _seller_for(request: Request, session: AsyncSession, visitor: Visitor) -> Organization:
    """A customer shops at its own seller's storefront; anyone else at the one they came through."""
    if visitor.actor is not None and visitor.actor.organization_kind is OrganizationKind.CUSTOMER:
        own = await session.get(Organization, visitor.actor.organization_id)
        if own is not None and own.parent_id is not None:
            parent = await session.get(Organization, own.parent_id)
            if parent is not None:
                return parent
    return await storefront.current(request, session)


async def _currency(session: AsyncSession, visitor: Visitor, seller: Organization) -> str:
    if visitor.actor is not None:
        own = await session.get(Organization, visitor.actor.organization_id)
        if own is not None:
            return OFFERS[0].currency_for(own.preferred_currency)
    return OFFERS[0].currency_for(seller.preferred_currency)


async def _catalog(
    request: Request, session: AsyncSession, settings: AppSettings, visitor: Visitor,
    seller: Organization,
) -> Response:  # fmt: skip
    currency = await _currency(session, visitor, seller)
    context = {
        "section": "store",
        "seller": seller,
        "offers": [(o, o.unit_price(currency, DEFAULT_TERM)) for o in OFFERS],
        "currency": currency,
        "visitor": visitor,
        "may_buy": carts.may_buy(visitor.actor),
    }
    response = render(request, "store/catalog.html", context)
    storefront.remember(response, settings, seller)
    return response


@router.get("/store")
async def platform_store(
    request: Request, session: DbSession, settings: AppSettings, visitor: PageVisitor
) -> Response:
    if visitor.actor is not None and visitor.actor.organization_kind is OrganizationKind.CUSTOMER:
        seller = await _seller_for(request, session, visitor)
    else:
        seller = await storefront.default_seller(session)
    return await _catalog(request, session, settings, visitor, seller)


@router.get("/store/offers/{slug}")
async def offer_page(
    request: Request, slug: str, session: DbSession, visitor: PageVisitor
) -> Response:
    offer = offer_by_slug(slug)
    seller = await _seller_for(request, session, visitor)
    return await _offer(request, session, visitor, seller, offer)


async def _offer(
    request: Request,
    session: AsyncSession,
    visitor: Visitor,
    seller: Organization,
    offer: Offer,
    *,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    currency = await _currency(session, visitor, seller)
    term = request.query_params.get("term") or DEFAULT_TERM
    values = {
        "term": term if term in TERMS else DEFAULT_TERM,
        "quantity": request.query_params.get("quantity") or str(offer.minimum_quantity),
    }
    context = {
        "section": "store",
        "seller": seller,
        "offer": offer,
        "prices": {t: offer.unit_price(currency, t) for t in TERMS},
        "currency": currency,
        "terms": TERM_OPTIONS,
        "values": values,
        "errors": errors or {},
        "message": message,
        "visitor": visitor,
        "may_buy": carts.may_buy(visitor.actor),
        "here": f"/store/offers/{offer.slug}",
    }
    return render(request, "store/offer.html", context, status_code=status_code)


@router.get("/store/offers/{slug}/buy")
async def buy_now(
    request: Request, slug: str, session: DbSession, visitor: PageVisitor
) -> Response:
    """Buy Now without being signed in: log in or register, then come back to the offer."""
    offer = offer_by_slug(slug)
    back = f"/store/offers/{offer.slug}"
    if visitor.actor is not None or visitor.registering:
        return redirect(back, status_code=302)
    seller = await _seller_for(request, session, visitor)
    context = {"section": "store", "offer": offer, "seller": seller, "next": quote(back, safe="/")}
    return render(request, "store/buy.html", context)


@router.get("/store/{seller_id}")
async def seller_store(
    request: Request, seller_id: uuid.UUID, session: DbSession, settings: AppSettings,
    visitor: PageVisitor,
) -> Response:  # fmt: skip
    seller = await storefront.seller(session, seller_id)
    return await _catalog(request, session, settings, visitor, seller)


def _quantity(raw: str) -> int:
    # ASCII digits only: int() would also take full-width and other scripts' digits, "+5", "5_0".
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise invalid("quantity", "integer", "enter a whole number of licenses")
    return int(raw)


async def _own(session: AsyncSession, actor: Actor) -> Organization:
    return await repository.get(session, actor, actor.organization_id)


@router.post("/cart/add")
async def add_to_cart(request: Request, session: DbSession, actor: PageActor) -> Response:
    form = await request.form()
    offer = offer_by_slug(text(form, "offer"))
    try:
        async with session.begin_nested():
            await carts.add(
                session, actor, await _own(session, actor), offer,
                term=text(form, "term"), quantity=_quantity(text(form, "quantity")),
            )  # fmt: skip
    except ValidationFailed as exc:
        errors, message = problem_of(exc)
        seen = Visitor(request.state.auth_session, await session.get(User, actor.user_id), actor)
        seller = await _seller_for(request, session, seen)
        return await _offer(
            request, session, seen, seller, offer, errors=errors, message=message,
            status_code=exc.status,
        )  # fmt: skip
    return redirect("/cart?added=1")


async def _cart_page(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    *,
    message: str | None = None,
    status_code: int = 200,
    agreement_first: bool = False,
) -> Response:
    if actor.organization_kind is not OrganizationKind.CUSTOMER:
        carts.require_buyer(actor)  # a seller has no cart of its own: 403 saying how to buy
    organization = await _own(session, actor)
    cart = await carts.load(session, organization)
    may_order = carts.may_buy(actor)  # a read-only role sees the cart, without its forms
    blockers = (
        await checkout.blockers_asking(
            session, actor, organization, cart, request.app.state.partner_center
        )
        if may_order
        else []
    )
    codes = [b.code for b in blockers]
    # The tenant comes first (the agreement is accepted for it), then the agreement.
    to_accept = acceptance_first(actor, codes, "/cart") if agreement_first else None
    if to_accept is not None and checkout.SERVICE_DETAILS not in codes:
        return to_accept
    context = {
        "section": "cart",
        "cart": cart,
        "organization": organization,
        "may_order": may_order,
        "read_only_hint": carts.READ_ONLY_HINT,
        "blockers": blockers,
        "checkout_key": str(uuid.uuid4()),
        "terms": TERM_OPTIONS,
        "message": message,
        "added": request.query_params.get("added") == "1",
    }
    return render(request, "store/cart.html", context, status_code=status_code)


@router.get("/cart")
async def cart_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    return await _cart_page(request, session, actor, agreement_first=True)


@router.post("/cart/change")
async def change_cart(request: Request, session: DbSession, actor: PageActor) -> Response:
    form = await request.form()
    offer = offer_by_slug(text(form, "offer"))
    quantity = 0 if text(form, "action") == "remove" else None
    try:
        async with session.begin_nested():
            await carts.change(
                session, actor, await _own(session, actor), offer, term=text(form, "term"),
                quantity=_quantity(text(form, "quantity")) if quantity is None else quantity,
            )  # fmt: skip
    except ValidationFailed as exc:
        _, message = problem_of(exc)
        detail = "; ".join(e.message for e in exc.errors) or message
        return await _cart_page(request, session, actor, message=detail, status_code=exc.status)
    return redirect("/cart")


@router.get("/checkout")
async def checkout_visited() -> Response:
    """The checkout is the cart's "Place order" button; opening its address (a bookmark, a link,
    a reload) leads to the cart, which says what ordering needs."""
    return redirect("/cart", status_code=302)


@router.post("/checkout")
async def place_order(request: Request, session: DbSession, actor: PageActor) -> Response:
    form = await request.form()
    try:
        async with session.begin_nested():
            order = await checkout.place_order(
                session, actor, text(form, "checkout_key"), request.app.state.partner_center
            )
    except TenantryError as exc:
        _, message = problem_of(exc)
        return await _cart_page(request, session, actor, message=message, status_code=exc.status)
    return redirect(f"/orders/{order.id}")


@router.get("/orders")
async def orders_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    if (to_accept := await _agreement_first(request, session, actor, "/orders")) is not None:
        return to_accept
    context = {
        "section": "orders",
        "orders": await checkout.recent_orders(session, actor),
        "may_order": carts.may_buy(actor),
        "seller_hint": carts.SELLER_HINT,
        "read_only_hint": carts.READ_ONLY_HINT,
        "limit": checkout.RECENT_ORDERS,
    }
    return render(request, "store/orders.html", context)


async def _agreement_first(
    request: Request, session: AsyncSession, actor: Actor, here: str
) -> Response | None:
    """A customer admin whose tenant (linked, or new and held) has no accepted agreement goes to
    the acceptance page first, and comes back to ``here``."""
    if not accepts_in_person(actor):
        return None
    organization = await _own(session, actor)
    if await service_details.missing(session, organization):
        return None
    access = request.app.state.partner_center
    async with access.client(lookup=True) as client:
        missing = await gate.missing_agreements(session, organization, actor, client=client)
    return acceptance_first(actor, [m.code for m in missing], here)


@router.get("/orders/{order_id}")
async def order_page(
    request: Request, order_id: uuid.UUID, session: DbSession, actor: PageActor
) -> Response:
    order = await checkout.get_order(session, actor, order_id)
    organization = await session.get(Organization, order.organization_id)
    assert organization is not None
    seller = await session.get(Organization, organization.parent_id)
    placed_by = await session.get(User, order.placed_by_id) if order.placed_by_id else None
    context = {
        "section": "cart", "order": order, "organization": organization, "terms": TERMS,
        "viewer": _viewer(actor, order), "seller": seller, "placed_by": placed_by,
        "placed_by_you": order.placed_by_id is not None and order.placed_by_id == actor.user_id,
    }  # fmt: skip
    return render(request, "store/order.html", context)


def _viewer(actor: Actor, order: Order) -> str:
    """Whom the order page speaks to: ``customer`` (its own organization's people), ``on_behalf``
    (the seller's staff acting for the customer) or ``seller`` (the seller's staff looking)."""
    if actor.acting_on_behalf:
        return "on_behalf"
    return "customer" if actor.organization_id == order.organization_id else "seller"
