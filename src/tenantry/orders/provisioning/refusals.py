"""What Partner Center's answers mean for an order being provisioned: a refusal to say in plain
words (the order fails with a stable code and what to do), or a wait (it stays where it is and
the job looks again later).

Partner Center down, throttling or answering 5xx, and the network failing, are waits. So is a
new tenant Partner Center does not know yet: Microsoft takes up to a few minutes to make a new
customer usable everywhere (404 "tenant not found", or 403/20002 "no relationship"), so these
answers are waited out for ``TENANTRY_PROVISIONING_TENANT_READY_MINUTES`` after the creation.
Everything else Partner Center refuses is a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from tenantry.partnercenter.errors import (
    AccessBlocked,
    AgreementRequired,
    BadRequest,
    NotFound,
    PartnerCenterConfigurationError,
    PartnerCenterError,
    PartnerIdOnRecordInvalid,
    RelationshipMissing,
    ResellerMpaNotAccepted,
    ServerError,
    Throttled,
    TokenKindNotAllowed,
    TransportFailure,
    Unauthorized,
)

# The codes an order's failure carries (docs/provisioning.md lists them with what to do).
AGREEMENT_MISSING = "agreement_missing"
QUANTITY_OUT_OF_RANGE = "quantity_out_of_range"
OFFER_UNAVAILABLE = "offer_unavailable"
CART_REFUSED = "cart_refused"
CHECKOUT_REFUSED = "checkout_refused"
TENANT_NOT_READY = "tenant_not_ready"
RELATIONSHIP_MISSING = "relationship_missing"
RESELLER_NOT_ACCEPTED = "reseller_not_accepted"
TENANT_NOT_CHOSEN = "tenant_not_chosen"
DOMAIN_TAKEN = "domain_taken"
TENANT_HELD_ELSEWHERE = "tenant_held_elsewhere"
CONNECTION_REFUSED = "partner_center_connection_refused"
PARTNER_CENTER_UNREACHABLE = "partner_center_unreachable"
PROVISIONING_FAILED = "provisioning_failed"
PARTIALLY_PROVISIONED = "partially_provisioned"
PARTNER_CENTER_REFUSED = "partner_center_refused"

QUANTITY_CODES = frozenset({"900275", "2002"})
OFFER_CODES = frozenset({"400013", "400018", "400019", "800004", "800020", "2091"})
TENANT_UNKNOWN_CODES = frozenset({"60003"})


@dataclass(eq=False)
class Refused(Exception):
    """The order fails: ``code`` (stable) and ``message`` (what happened, what to do)."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(eq=False)
class Wait(Exception):
    """Not now: the order stays where it is, the job looks again (``retry_after`` seconds at
    the earliest, when Partner Center said so)."""

    reason: str
    retry_after: float | None = None
    # A new tenant Microsoft is still setting up (waited for a shorter, separate time).
    tenant_not_ready: bool = False

    def __str__(self) -> str:
        return self.reason


def transient(exc: BaseException) -> Wait | None:
    """The wait an unreachable or busy Partner Center means, or None for anything else."""
    if isinstance(exc, Throttled):
        return Wait("Partner Center is throttling Tenantry's requests", exc.retry_after)
    if isinstance(exc, ServerError):
        return Wait(f"Partner Center answered with an error of its own (HTTP {exc.status})")
    if isinstance(exc, TransportFailure | httpx.HTTPError):
        return Wait("Partner Center could not be reached")
    return None


def _support(exc: PartnerCenterError) -> str:
    """What support needs to find the call at Microsoft."""
    parts = [f"code {exc.code}" if exc.code else None, f"MS-RequestId {exc.request_id}"]
    return "Partner Center " + ", ".join(p for p in parts if p)


def tenant_unknown(exc: PartnerCenterError) -> bool:
    """Partner Center does not know the tenant (yet), or not as our customer."""
    return isinstance(exc, RelationshipMissing) or (
        isinstance(exc, NotFound) and (exc.code in TENANT_UNKNOWN_CODES or exc.code is None)
    )


def refusal(exc: PartnerCenterError, *, doing: str, seller: str) -> Refused:
    """The plain-words failure for Partner Center's refusal of ``doing`` (e.g. "the cart")."""
    said = (exc.description or "").strip().rstrip(".")
    ref = _support(exc)
    if isinstance(exc, AgreementRequired):
        return Refused(
            AGREEMENT_MISSING,
            "Microsoft refused the purchase: the customer's acceptance of the Microsoft Customer "
            "Agreement is not on record at Microsoft. A customer administrator accepts it in "
            "Tenantry (Agreements), or the seller attests an acceptance obtained outside it; then "
            f"retry the order. ({ref})",
        )
    if exc.code in QUANTITY_CODES:
        return Refused(
            QUANTITY_OUT_OF_RANGE,
            f"Microsoft refused a quantity of the order: {said}. Each product can be bought only "
            "in the quantities Microsoft allows; cancel this order and order a quantity within "
            f"the product's limits. ({ref})",
        )
    if exc.code in OFFER_CODES:
        return Refused(
            OFFER_UNAVAILABLE,
            f"Microsoft no longer sells a product of the order as it was ordered: {said}. Cancel "
            f"the order and order again from the current catalog. ({ref})",
        )
    if isinstance(exc, ResellerMpaNotAccepted | PartnerIdOnRecordInvalid):
        return Refused(
            RESELLER_NOT_ACCEPTED,
            f"Microsoft does not accept {seller} as the reseller of this purchase: {said}. The "
            "reseller signs the Microsoft Partner Agreement and accepts the distributor as its "
            f"indirect provider in Partner Center; then retry the order. ({ref})",
        )
    if isinstance(exc, RelationshipMissing):
        return Refused(
            RELATIONSHIP_MISSING,
            f"Microsoft says the customer's tenant does not accept {seller} as its partner (the "
            "reseller relationship is missing or was removed). Send the customer the "
            "authorization link again from Service Details; once its Global Administrator "
            f"accepted, retry the order. ({ref})",
        )
    if isinstance(
        exc, Unauthorized | AccessBlocked | TokenKindNotAllowed | PartnerCenterConfigurationError
    ):
        return Refused(
            CONNECTION_REFUSED,
            f"Partner Center refused Tenantry's connection while sending {doing}: {said or exc}. "
            "A platform administrator checks the Partner Center settings (app, secret, refresh "
            f"token, the Admin agent role); then retry the order. ({ref})",
        )
    if isinstance(exc, BadRequest):
        return Refused(
            CART_REFUSED,
            f"Microsoft refused {doing}: {said}. Check the order's products, terms and "
            f"quantities; cancel it and order again, or retry once the cause is fixed. ({ref})",
        )
    return Refused(
        PARTNER_CENTER_REFUSED,
        f"Partner Center refused {doing}: {said or type(exc).__name__}. Retry the order; if it "
        f"fails again, open a support request with Microsoft quoting this. ({ref})",
    )


def tenant_not_ready(domain: str | None, minutes: int) -> Refused:
    name = domain or "the new tenant"
    return Refused(
        TENANT_NOT_READY,
        f"Microsoft has not finished setting up {name}: Partner Center still does not know it "
        f"{minutes} minutes after it was created. Retry the order later; if it keeps failing, "
        "open a support request with Microsoft naming the tenant.",
    )
