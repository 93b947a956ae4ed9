"""The provisioning job's steps, one per run: new tenant, agreement, cart, checkout, follow.

Each step reads what the earlier ones saved on ``order_provisioning``, does its Partner Center
calls (writes with the request id of the step), saves what it learned and names the next step.
It raises :class:`Wait` to come back later and :class:`Refused` to fail the order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from tenantry.agreements import microsoft
from tenantry.agreements.customer.service import confirm_pending
from tenantry.agreements.gate import MCA_MISSING
from tenantry.errors import Conflict, TenantryError
from tenantry.models import ProvisioningStep
from tenantry.orders.provisioning import refusals
from tenantry.orders.provisioning.checkout import checkout_step
from tenantry.orders.provisioning.context import Run
from tenantry.orders.provisioning.follow import follow_step
from tenantry.orders.provisioning.lines import OfferNotSold, cart_line, purchase_lines
from tenantry.orders.provisioning.refusals import Refused, Wait
from tenantry.orders.provisioning.state import request_id
from tenantry.orders.purchase_gate import PurchaseKind, refuse_unless_agreed
from tenantry.partnercenter.access import PartnerCenterUnavailable
from tenantry.partnercenter.errors import PartnerCenterError
from tenantry.partnercenter.models.commerce import Cart
from tenantry.tenants.authorization import ResellerNotInNetwork
from tenantry.tenants.new_tenant.service import create_tenant

S = ProvisioningStep


async def tenant_step(run: Run) -> None:
    """The new tenant, created in Partner Center when the organization holds none."""
    organization = run.organization
    if organization.tenant_id is None:
        try:
            created = await create_tenant(run.session, run.client, run.settings, organization)
        except PartnerCenterError as exc:
            run.partner_center_said(exc, "the new tenant")
        except ResellerNotInNetwork as exc:
            raise Refused(
                refusals.RESELLER_NOT_ACCEPTED,
                f"Microsoft creates a reseller's customer only for a reseller in the "
                f"distributor's network, and {run.seller} is not among its indirect resellers in "
                "Partner Center. The reseller accepts the distributor as its indirect provider "
                "in Partner Center; then retry the order.",
            ) from exc
        except TenantryError as exc:
            code = str(exc.extra.get("reason") or exc.code)
            raise Refused(_TENANT_CODES.get(code, code), _sentence(exc.detail)) from exc
        run.new_tenant = created.tenant
    run.state.customer_tenant_id = organization.tenant_id
    run.state.step = S.AGREEMENT


_TENANT_CODES = {
    "new_tenant_not_chosen": refusals.TENANT_NOT_CHOSEN,
    "new_tenant_domain_taken": refusals.DOMAIN_TAKEN,
    "tenant_held_by_another_organization": refusals.TENANT_HELD_ELSEWHERE,
}


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


async def agreement_step(run: Run) -> None:
    """An acceptance that waited for the new tenant is confirmed; then the agreement gate."""
    organization, session = run.organization, run.session
    try:
        await confirm_pending(session, run.client, organization)
    except PartnerCenterUnavailable as exc:
        raise Wait("Partner Center could not be reached to confirm the agreement") from exc
    except microsoft.CustomerUnknownToPartnerCenter:
        run.tenant_unknown()
    except TenantryError as exc:
        raise Refused(refusals.AGREEMENT_MISSING, _sentence(exc.detail)) from exc
    try:
        await refuse_unless_agreed(session, organization, run.viewer, run.client,
                                   PurchaseKind.PURCHASE)  # fmt: skip
    except Conflict as exc:
        reason = str(exc.extra.get("reason") or exc.code)
        if reason == MCA_MISSING:
            status = await microsoft.status_row(session, organization)
            if status.check_error and "could not be reached" in status.check_error:
                raise Wait("Partner Center could not be reached to check the agreement") from exc
            if status.check_error and "does not know" in status.check_error:
                run.tenant_unknown()
            raise Refused(
                refusals.AGREEMENT_MISSING,
                f"Microsoft accepts no purchase for {organization.display_name} until the "
                "Microsoft Customer Agreement is accepted. A customer administrator accepts it "
                "in Tenantry (Agreements), or the seller attests an acceptance obtained outside "
                "it; then retry the order.",
            ) from exc
        raise Refused(reason, _sentence(exc.detail) + " Then retry the order.") from exc
    run.state.step = S.CART


async def cart_step(run: Run) -> None:
    """The Partner Center cart of the order's lines (the indirect reseller on each line)."""
    state = run.state
    try:
        lines = await purchase_lines(run.client, run.order.lines, run.organization.address_country)
    except OfferNotSold as exc:
        raise Refused(
            refusals.OFFER_UNAVAILABLE,
            f"Microsoft does not sell what the order names: {exc}. Cancel the order and order "
            "again from the current catalog.",
        ) from exc
    except PartnerCenterError as exc:
        run.partner_center_said(exc, "the catalog lookup")
    reseller = run.sellers.reseller
    mpn_id = reseller.mpn_id if reseller else None
    cart = Cart(line_items=[cart_line(n, line, mpn_id) for n, line in enumerate(lines)])
    try:
        made = await run.client.create_cart(
            run.customer_id, cart, request_id=request_id(state, S.CART, state.carts_made)
        )
    except PartnerCenterError as exc:
        run.partner_center_said(exc, "the cart")
    state.cart_lines = [line.as_json() for line in lines]
    state.cart_id = made.id
    state.carts_made += 1
    state.step = S.CHECKOUT


Step = Callable[[Run], Awaitable[datetime | None]]


def _now(step: Callable[[Run], Awaitable[None]]) -> Step:
    async def run_now(run: Run) -> datetime | None:
        await step(run)
        return None

    return run_now


STEPS: dict[ProvisioningStep, Step] = {
    S.TENANT: _now(tenant_step),
    S.AGREEMENT: _now(agreement_step),
    S.CART: _now(cart_step),
    S.CHECKOUT: _now(checkout_step),
    S.FOLLOW: follow_step,
}
