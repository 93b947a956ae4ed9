"""Pages: the storefront (public), the cart, the checkout and placed orders."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements.customer.pages import acceptance_first
from tenantry.deps import AppSettings, DbSession, WritingDbSession
from tenantry.errors import TenantryError, ValidationFailed, invalid
from tenantry.models import Organization, OrganizationKind, User
from tenantry.orders import cart as carts
from tenantry.orders import checkout, payment_rules, steps
from tenantry.orders.catalog import offers, terms
from tenantry.orders.catalog.pricing import Buyer, customer_buyer, storefront_buyer
from tenantry.organizations import repository
from tenantry.registration import storefront
from tenantry.security import Actor
from tenantry.web.forms import problem_of, text
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import PageActor, page_router
from tenantry.web.visitor import PageVisitor, Visitor

router = page_router()


async def _seller_for(request: Request, session: AsyncSession, visitor: Visitor) -> Organization:
    """A customer shops at its own seller's storefront; anyone else at the one they came through."""
    if visitor.actor is not None and visitor.actor.organization_kind is OrganizationKind.CUSTOMER:
        own = await session.get(Organization, visitor.actor.organization_id)
        if own is not None and own.parent_id is not None:
            parent = await session.get(Organization, own.parent_id)
            if parent is not None:
                return parent
    return await storefront.current(request, session)


async def _buyer(session: AsyncSession, visitor: Visitor, seller: Organization) -> Buyer:
    """A signed-in customer sees its own prices; anyone else the storefront's."""
    if visitor.actor is not None and visitor.actor.organization_kind is OrganizationKind.CUSTOMER:
        own = await session.get(Organization, visitor.actor.organization_id)
        if own is not None:
            return await customer_buyer(session, own)
    return await storefront_buyer(session, seller)


async def _catalog(
    request: Request, session: AsyncSession, settings: AppSettings, visitor: Visitor,
    seller: Organization,
) -> Response:  # fmt: skip
    buyer = await _buyer(session, visitor, seller)
    context = {
        "section": "store",
        "seller": seller,
        "offers": await offers.storefront(session, buyer),
        "currency": buyer.currency,
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
    seller = await _seller_for(request, session, visitor)
    return await _offer(request, session, visitor, seller, slug)


async def _offer(
    request: Request,
    session: AsyncSession,
    visitor: Visitor,
    seller: Organization,
    slug: str,
    *,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    buyer = await _buyer(session, visitor, seller)
    offer = await offers.by_slug(session, buyer, slug)
    chosen = form or dict(request.query_params)
    plan = offer.default_plan
    values = {
        "term": chosen.get("term") or (plan.term if plan else ""),
        "billing_cycle": chosen.get("billing_cycle") or (plan.billing_cycle if plan else ""),
        "quantity": chosen.get("quantity") or str(offer.minimum_quantity),
    }
    offered = offer.offered_plans
    context = {
        "section": "store",
        "seller": seller,
        "offer": offer,
        "plans": offered,
        "currency": buyer.currency,
        "term_options": [(t, terms.TERMS[t]) for t in dict.fromkeys(p.term for p in offered)],
        "cycle_options": [
            (c, terms.BILLING_CYCLES[c].capitalize())
            for c in terms.BILLING_CYCLES
            if any(p.billing_cycle == c for p in offered)
        ],
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
    seller = await _seller_for(request, session, visitor)
    offer = await offers.by_slug(session, await _buyer(session, visitor, seller), slug)
    back = f"/store/offers/{offer.slug}"
    if visitor.actor is not None or visitor.registering:
        return redirect(back, status_code=302)
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
    slug = text(form, "offer")
    chosen = {name: text(form, name) for name in ("term", "billing_cycle", "quantity")}
    try:
        async with session.begin_nested():
            await carts.add(
                session, actor, await _own(session, actor), slug,
                term=chosen["term"] or None, billing_cycle=chosen["billing_cycle"] or None,
                quantity=_quantity(chosen["quantity"]),
            )  # fmt: skip
    except ValidationFailed as exc:
        errors, message = problem_of(exc)
        seen = Visitor(request.state.auth_session, await session.get(User, actor.user_id), actor)
        seller = await _seller_for(request, session, seen)
        return await _offer(
            request, session, seen, seller, slug, errors=errors, message=message,
            status_code=exc.status, form=chosen,
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
        "steps": steps.arrange(blockers),
        "skips_payment": await payment_rules.skips_payment(session, organization),
        "checkout_key": str(uuid.uuid4()),
        "message": message,
        "added": request.query_params.get("added") == "1",
    }
    return render(request, "store/cart.html", context, status_code=status_code)


@router.get("/cart")
async def cart_page(
    # Asking the agreement's status may record it, as the checkout API does.
    request: Request, session: WritingDbSession, actor: PageActor,
) -> Response:  # fmt: skip
    return await _cart_page(request, session, actor, agreement_first=True)


@router.post("/cart/change")
async def change_cart(request: Request, session: DbSession, actor: PageActor) -> Response:
    form = await request.form()
    carts.require_buyer(actor)
    try:
        item_id = uuid.UUID(text(form, "item"))
    except ValueError:
        return redirect("/cart")  # not a line of any cart: nothing to change
    quantity = 0 if text(form, "action") == "remove" else None
    try:
        async with session.begin_nested():
            await carts.change(
                session, actor, await _own(session, actor), item_id,
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
