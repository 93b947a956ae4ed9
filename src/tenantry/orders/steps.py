"""The checkout as steps, each saying what still blocks it.

Offers and quantities -> organization and billing details -> Service Details -> review -> place.
Every blocker ``checkout.blockers`` finds belongs to one step; a step is ``done`` when nothing of
its own blocks it and ``blocked`` otherwise, so the pages and ``GET /api/v1/checkout`` show the
same list. Placing is possible when no step is blocked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import Forbidden
from tenantry.models import Organization
from tenantry.orders import cart as carts
from tenantry.orders import checkout, payment_rules
from tenantry.orders.checkout import Blocker
from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.security import Actor


@dataclass(frozen=True)
class StepInfo:
    key: str
    title: str


STEPS = (
    StepInfo("offers", "Offers and quantities"),
    StepInfo("organization", "Organization and billing details"),
    StepInfo("service_details", "Service Details"),
    StepInfo("review", "Review"),
    StepInfo("place", "Place order"),
)
# The step each blocker belongs to; any other (an agreement of the platform's own) is "review".
STEP_OF = {
    "cart_empty": "offers",
    "organization_pending_approval": "organization",
    "organization_not_active": "organization",
    checkout.ERP_ID_MISSING: "organization",
    "billing_address_incomplete": "organization",
    "reseller_mpn_invalid": "organization",
    "email_not_verified": "organization",
    checkout.SERVICE_DETAILS: "service_details",
    "role_may_not_order": "place",
}
ROLE_MAY_NOT_ORDER = "role_may_not_order"


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    blockers: list[Blocker]

    @property
    def done(self) -> bool:
        return not self.blockers


@dataclass(frozen=True)
class CheckoutState:
    organization: Organization
    cart: carts.Cart
    steps: list[Step]
    # The order goes straight to paid (the customer skips payment).
    skips_payment: bool

    @property
    def blockers(self) -> list[Blocker]:
        return [blocker for step in self.steps for blocker in step.blockers]

    @property
    def may_place(self) -> bool:
        return not self.blockers


def _role_blocker(actor: Actor) -> Blocker | None:
    try:
        carts.require_buyer(actor)
    except Forbidden as exc:
        return Blocker(ROLE_MAY_NOT_ORDER, exc.detail[:1].upper() + exc.detail[1:] + ".")
    return None


def arrange(blockers: list[Blocker]) -> list[Step]:
    """The five steps with the blockers that belong to each."""
    return [
        Step(
            info.key, info.title, [b for b in blockers if STEP_OF.get(b.code, "review") == info.key]
        )
        for info in STEPS
    ]


async def state(
    session: AsyncSession,
    actor: Actor,
    organization: Organization,
    partner_center: PartnerCenterAccess | None,
) -> CheckoutState:
    """Where the organization's checkout stands for ``actor`` (a person of the customer, or staff
    acting for it)."""
    cart = await carts.load(session, organization)
    found = await checkout.blockers_asking(session, actor, organization, cart, partner_center)
    if (role := _role_blocker(actor)) is not None:
        found.append(role)
    skips = await payment_rules.skips_payment(session, organization)
    return CheckoutState(organization, cart, arrange(found), skips)
