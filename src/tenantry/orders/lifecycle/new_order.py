"""A seller's staff ordering for a customer they serve, on pages: choose the customer, the offers
and quantities, and place; the order then waits for the customer to confirm it and pay."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import idempotency
from tenantry.deps import DbSession
from tenantry.errors import FieldError, Forbidden, TenantryError, ValidationFailed
from tenantry.models import Order, Organization, OrganizationKind
from tenantry.orders import cart as carts
from tenantry.orders import checkout
from tenantry.orders.catalog import offers as catalog
from tenantry.orders.catalog.pricing import customer_buyer, storefront_buyer
from tenantry.organizations import repository as organizations
from tenantry.security import Actor, Permission, organization_scope, require
from tenantry.web.forms import problem_of, text
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
KEY_PREFIX = "order_for:"


async def _customers(session: AsyncSession, actor: Actor) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(Organization)
        .where(organization_scope(actor), Organization.kind == OrganizationKind.CUSTOMER)
        .order_by(Organization.display_name)
    )
    return [(str(o.id), o.display_name) for o in rows.scalars() if checkout.serves(actor, o)]


def _require_seller(actor: Actor) -> None:
    require(actor, Permission.ORDERS_MANAGE)
    if actor.organization_kind is OrganizationKind.CUSTOMER or actor.acting_on_behalf:
        raise Forbidden("sellers' staff order for their customers here")


async def _page(
    request: Request, session: AsyncSession, actor: Actor, *,
    values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
    message: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    _require_seller(actor)
    values = values or {"organization_id": request.query_params.get("organization_id", "")}
    customer = None
    if values.get("organization_id"):
        try:
            customer = await organizations.get(session, actor, uuid.UUID(values["organization_id"]))
        except ValueError:
            customer = None
    seller = await session.get(Organization, actor.organization_id)
    assert seller is not None
    buyer = await (
        customer_buyer(session, customer) if customer else storefront_buyer(session, seller)
    )
    offers = [offer for offer in await catalog.storefront(session, buyer) if offer.offered]
    context: dict[str, Any] = {
        "section": "orders", "customers": await _customers(session, actor), "customer": customer,
        "offers": offers, "currency": buyer.currency, "values": values,
        "errors": errors or {}, "message": message, "order_key": str(uuid.uuid4()),
        "names": {f"quantity-{o.slug}": f"Licenses of {o.title}" for o in offers}
        | {f"term-{o.slug}": f"Term and billing of {o.title}" for o in offers}
        | {"quantities": "Licenses"},
    }  # fmt: skip
    return render(request, "orders/new.html", context, status_code=status_code)


@router.get("/orders/new")
async def new_order_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    return await _page(request, session, actor)


def _choices(form: Any) -> list[carts.Choice]:
    """The offers given a quantity, with errors beside a quantity that is not a whole number.
    Each offer's plan comes as ``term:billing_cycle``."""
    choices: list[carts.Choice] = []
    errors: list[FieldError] = []
    for name in form:
        if not name.startswith("quantity-"):
            continue
        slug = name.removeprefix("quantity-")
        raw = text(form, name)
        if not raw or raw == "0":
            continue
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
            errors.append(FieldError(name, "integer", "enter a whole number"))
            continue
        term, _, cycle = text(form, f"term-{slug}").partition(":")
        choices.append(
            carts.Choice(catalog.offer_id_of(slug), term or None, cycle or None, int(raw))
        )
    if not choices and not errors:
        errors.append(FieldError("quantities", "required", "give at least one offer a quantity"))
    if errors:
        raise ValidationFailed(errors)
    return choices


@router.post("/orders/new")
async def place_for_customer(request: Request, session: DbSession, actor: PageActor) -> Response:
    form = await request.form()
    values = {key: value for key, value in form.items() if isinstance(value, str)}
    key = KEY_PREFIX + text(form, "order_key")
    principal = str(actor.user_id)
    choices: list[carts.Choice] = []
    try:
        _require_seller(actor)
        organization_id = uuid.UUID(text(form, "organization_id"))
        async with session.begin_nested():
            organization = await organizations.get_for_update(session, actor, organization_id)
            earlier = await idempotency.earlier_resource(session, principal, key)
            if earlier is not None and await session.get(Order, earlier) is not None:
                return redirect(f"/orders/{earlier}")
            choices = _choices(form)
            order = await checkout.place(
                session, actor, organization, choices=choices,
                partner_center=request.app.state.partner_center,
            )  # fmt: skip
            idempotency.remember_resource(session, principal, key, order.id)
    except ValueError:
        return await _page(request, session, actor, values=values, status_code=422,
                           errors={"organization_id": "choose a customer"})  # fmt: skip
    except TenantryError as exc:
        errors, message = problem_of(exc)
        # A line's quantity or term refused by the catalog, beside that offer's field.
        fields = {f"lines.{i}.{part}": f"{'term' if part == 'billing_cycle' else part}-{slug}"
                  for i, slug in enumerate(c.offer_id.replace(":", "-") for c in choices)
                  for part in ("quantity", "term", "billing_cycle")}  # fmt: skip
        fixed = {fields.get(k, k): v for k, v in errors.items()}
        return await _page(request, session, actor, values=values, errors=fixed, message=message,
                           status_code=exc.status)  # fmt: skip
    return redirect(f"/orders/{order.id}")
