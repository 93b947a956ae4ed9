"""The rules every purchase line passes, in carts and in orders alike.

A new-commerce line names a catalog item (``product:sku:availability``, unknown parts answer
404/400013, 400018, 400019), a term the SKU offers (400/800121), a billing cycle that term can be
paid in (400/900269; yearly billing of a monthly term 400/900270) and a quantity within the SKU's
bounds (400/900275). A legacy line names an offer id (400/800004 when unknown). A reseller of
record (cart ``participants`` ``transaction_reseller``, order ``partnerIdOnRecord``) must be an
indirect reseller in the buying partner's network (404/2072) that signed the Microsoft Partner
Agreement (403/900123). A customer without the Microsoft Customer Agreement (confirmed by a
partner or signed in the admin center) cannot buy at all (403/13605).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox import errors
from tenantry_sandbox.binding import enum_key
from tenantry_sandbox.catalog_data import CatalogSku, LegacyOffer
from tenantry_sandbox.errors import invalid_property
from tenantry_sandbox.schemas.commerce import (
    CartLineIn,
    CartLineOut,
    KeyValueIn,
    KeyValueOut,
    RenewsToIn,
    RenewsToOut,
    pricing,
)
from tenantry_sandbox.services import commerce_errors
from tenantry_sandbox.services.catalog import resolve
from tenantry_sandbox.store import agreements, catalog, catalog_control, partners
from tenantry_sandbox.store.agreements import MICROSOFT_CUSTOMER_AGREEMENT
from tenantry_sandbox.store.catalog import CatalogItem
from tenantry_sandbox.store.customers import Customer

RESELLER_OF_RECORD = "transaction_reseller"
CYCLES = {
    "monthly": "monthly",
    "annual": "annual",
    "none": "none",
    "onetime": "one_time",
    "triennial": "triennial",
}


async def ensure_customer_may_buy(session: AsyncSession, customer: Customer) -> None:
    if customer.mca_direct_signed:
        return
    confirmed = await agreements.of_customer(
        session, customer.id, [MICROSOFT_CUSTOMER_AGREEMENT.agreement_type]
    )
    if not confirmed:
        raise commerce_errors.agreement_required()


async def reseller_of_record(
    session: AsyncSession, provider: uuid.UUID, mpn_id: str | None
) -> str | None:
    """The validated PartnerID of record, or None when the line names none."""
    if not mpn_id or not mpn_id.strip():
        return None
    mpn_id = mpn_id.strip()
    reseller = await partners.by_mpn_id(session, mpn_id)
    if (
        reseller is None
        or await partners.network_link(session, provider, reseller.tenant_id) is None
    ):
        raise commerce_errors.partner_on_record_invalid(mpn_id)
    if not reseller.mpa_signed:
        raise errors.mpa_not_accepted()
    return mpn_id


def participant_reseller(
    participants: Sequence[KeyValueIn] | Sequence[KeyValueOut] | None,
) -> str | None:
    for pair in participants or ():
        if pair.key and enum_key(pair.key) == enum_key(RESELLER_OF_RECORD):
            return pair.value
    return None


def billing_cycle(value: str | None, field: str) -> str:
    if not value:
        raise invalid_property("The billing cycle is required.", field)
    cycle = CYCLES.get(enum_key(value))
    if cycle is None:
        raise commerce_errors.billing_cycle_invalid(value)
    return cycle


def term_of(sku: CatalogSku, requested: str | None) -> str:
    """The line's term: the one asked for, if the SKU offers it (a single-term SKU's default)."""
    offered = sku.term_durations
    if requested is None and len(offered) == 1:
        return offered[0]
    term = (requested or "").strip().upper()
    if term not in offered:
        raise commerce_errors.term_invalid(requested)
    return term


def check_cycle(sku: CatalogSku, term: str, cycle: str) -> None:
    if cycle in catalog.billing_cycles_of(sku, term):
        return
    if cycle == "annual" and catalog.term_months(term) < 12:
        raise commerce_errors.billing_cycle_longer_than_term()
    raise commerce_errors.billing_cycle_invalid(cycle)


def _renewal_term(renews_to: RenewsToIn | list[RenewsToIn] | None) -> str | None:
    first = renews_to[0] if isinstance(renews_to, list) and renews_to else renews_to
    return first.term_duration if isinstance(first, RenewsToIn) else None


def check_quantity(quantity: int | None, low: int, high: int, line: int) -> int:
    if quantity is None or not low <= quantity <= high:
        raise commerce_errors.line_quantity_out_of_range(line)
    return quantity


def new_commerce_line(
    item_id: str, term_requested: str | None, cycle_requested: str | None, quantity: int | None,
    line: int, field: str,
) -> tuple[CatalogItem, str, str, int]:  # fmt: skip
    """Validate a new-commerce purchase: (catalog item, term, billing cycle, quantity)."""
    item = resolve(item_id, f"{field}.catalogItemId")
    term = term_of(item.sku, term_requested)
    cycle = billing_cycle(cycle_requested, f"{field}.billingCycle")
    check_cycle(item.sku, term, cycle)
    count = check_quantity(quantity, item.sku.minimum_quantity, item.sku.maximum_quantity, line)
    return item, term, cycle, count


def legacy_line(offer: LegacyOffer, quantity: int | None, line: int) -> int:
    return check_quantity(quantity, offer.minimum_quantity, offer.maximum_quantity, line)


async def validate_cart(
    session: AsyncSession, provider: uuid.UUID, requested: Sequence[CartLineIn], currency: str
) -> list[CartLineOut]:
    """Validate the lines of a cart body (``CartLineIn``s) into stored cart lines.

    Lines of one billing cycle share an order group (``"0"``, ``"1"``...), each group becoming
    one order at checkout; the Microsoft Azure offer goes in its own group ``OMS-0`` as the
    documented cart shows.
    """
    if not requested:
        raise invalid_property("A cart needs at least one line item.", "lineItems")
    groups: dict[str, str] = {}
    validated: list[CartLineOut] = []
    for index, raw in enumerate(requested):
        field = f"lineItems[{index}]"
        if not raw.catalog_item_id:
            raise invalid_property("The catalog item id is required.", f"{field}.catalogItemId")
        offer = catalog.legacy_offer(raw.catalog_item_id)
        price = None
        if offer is not None and offer.kind == "usage":
            quantity = legacy_line(offer, raw.quantity, index)
            cycle = billing_cycle(raw.billing_cycle, f"{field}.billingCycle")
            item_id, term, group = offer.id, raw.term_duration, "OMS-0"
        else:
            item, term, cycle, quantity = new_commerce_line(
                raw.catalog_item_id, raw.term_duration, raw.billing_cycle, raw.quantity, index,
                field,
            )  # fmt: skip
            if not await catalog_control.is_sold(session, item.product.id):
                raise commerce_errors.product_not_found(item.product.id)
            item_id = item.id
            group = groups.setdefault(cycle, str(len(groups)))
            cost = catalog.price_of(item.sku, term, cycle, quantity)
            price = pricing(cost.unit, cost.extended)
        reseller = await reseller_of_record(
            session, provider, participant_reseller(raw.participants)
        )
        renew_term = _renewal_term(raw.renews_to)
        validated.append(
            CartLineOut(
                id=index,
                catalog_item_id=item_id,
                friendly_name=raw.friendly_name,
                quantity=quantity,
                currency_code=currency,
                billing_cycle=cycle,
                term_duration=term,
                participants=(
                    [KeyValueOut(key=RESELLER_OF_RECORD, value=reseller)] if reseller else None
                ),
                provisioning_context=raw.provisioning_context or {},
                order_group=group,
                pricing=price,
                renews_to=RenewsToOut(term_duration=renew_term.upper()) if renew_term else None,
                promotion_id=raw.promotion_id,
            )
        )
    return validated
