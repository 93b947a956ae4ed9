"""What a subscription change may be, checked before anything is recorded or sent.

Microsoft's new-commerce rule for fewer licenses: a decrease is accepted only within 168 hours
(7 days) of the purchase or of the renewal. Partner Center says until when on each subscription
(``refundableQuantity.details[].allowedUntilDateTime``, or ``cancellationAllowedUntilDate``); when
it says neither, the window is counted from the start of the current term. After it, fewer
licenses are possible from the renewal on (``commitmentEndDate``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import ValidationError

from tenantry.errors import Conflict, FieldError, Forbidden, ValidationFailed
from tenantry.models import (
    CatalogSku,
    MicrosoftSubscription,
    Organization,
    OrganizationStatus,
    Role,
)
from tenantry.partnercenter.models.subscriptions import Subscription
from tenantry.security import Actor

DECREASE_WINDOW = timedelta(hours=168)
# Partner Center's own ceiling of seats on one license-based subscription. The SKU's own limits
# (smaller for most) are checked from the catalog when it lists the SKU
# (:func:`check_sku_limits`), else by Microsoft, whose refusal is said in plain words.
MAX_QUANTITY = 1_000_000
NEW_COMMERCE = "OnlineServicesNCE"

# Who may change a subscription: the customer's admins, and its seller's staff (a reseller's
# staff for its customers, the platform's staff for all). A customer's other people only look.
MAY_CHANGE = frozenset(
    {
        Role.CUSTOMER_ADMIN,
        Role.RESELLER_ADMIN,
        Role.RESELLER_STAFF,
        Role.PLATFORM_ADMIN,
        Role.PLATFORM_STAFF,
    }
)
READ_ONLY_HINT = "only the customer's administrators and its seller's staff change subscriptions"


def may_change(actor: Actor) -> bool:
    return actor.role in MAY_CHANGE


def require_may_change(actor: Actor) -> None:
    if not may_change(actor):
        raise Forbidden(
            f"the role {actor.role.value} may not change subscriptions; {READ_ONLY_HINT}"
        )


def check_quantity(quantity: int) -> None:
    """At least 1, at most :data:`MAX_QUANTITY` (a whole number is the schema's rule)."""
    if quantity < 1:
        raise ValidationFailed(
            [FieldError("quantity", "minimum", "a subscription keeps at least 1 license")]
        )
    if quantity > MAX_QUANTITY:
        raise ValidationFailed(
            [FieldError("quantity", "maximum", f"at most {MAX_QUANTITY:,} licenses")]
        )


def sku_of(offer_id: str | None) -> tuple[str, str] | None:
    """(product, SKU) of a new-commerce offer id (``product:sku[:availability]``); None for a
    legacy offer id, which names no SKU of the catalog."""
    parts = (offer_id or "").split(":")
    return (parts[0], parts[1]) if len(parts) >= 2 and parts[0] and parts[1] else None


def check_sku_limits(quantity: int, sku: CatalogSku | None) -> None:
    """The SKU's own minimum and maximum licenses per subscription, as the catalog lists them."""
    if sku is None:
        return
    if not sku.minimum_quantity <= quantity <= sku.maximum_quantity:
        rule = "sku_minimum" if quantity < sku.minimum_quantity else "sku_maximum"
        raise ValidationFailed(
            [FieldError("quantity", rule,
                        f"{sku.title} is sold in {sku.minimum_quantity:,} to "
                        f"{sku.maximum_quantity:,} licenses per subscription")]
        )  # fmt: skip


def resource(row: MicrosoftSubscription) -> Subscription | None:
    """The subscription as Partner Center last described it (None when unreadable)."""
    try:
        return Subscription.model_validate(row.raw or {"id": row.subscription_id})
    except ValidationError:
        return None


def is_new_commerce(subscription: Subscription | None) -> bool:
    if subscription is None:
        return False
    product = subscription.product_type
    return bool(product and product.id == NEW_COMMERCE) or (
        subscription.refundable_quantity is not None
    )


def decrease_deadline(subscription: Subscription) -> datetime | None:
    """Until when fewer licenses are accepted; None when no window applies (legacy offers)."""
    if not is_new_commerce(subscription):
        return None
    refundable = subscription.refundable_quantity
    if refundable is not None:
        dates = [d.allowed_until_date_time for d in refundable.details if d.allowed_until_date_time]
        if dates:
            return max(dates)
        if refundable.total_quantity == 0:  # nothing refundable left: the window is over
            start = _term_start(subscription)
            return start + DECREASE_WINDOW if start else datetime.min.replace(tzinfo=UTC)
    if subscription.cancellation_allowed_until_date is not None:
        return subscription.cancellation_allowed_until_date
    start = _term_start(subscription)
    return start + DECREASE_WINDOW if start else None


def _term_start(subscription: Subscription) -> datetime | None:
    return subscription.effective_start_date or subscription.creation_date


def renewal_date(subscription: Subscription | None) -> datetime | None:
    if subscription is None:
        return None
    return subscription.commitment_end_date_time or subscription.commitment_end_date


def decrease_closed_message(subscription: Subscription | None, deadline: datetime | None) -> str:
    """Why fewer licenses are refused now, and when they become possible."""
    closed = (
        f" (it closed on {deadline:%Y-%m-%d %H:%M} UTC)" if deadline and deadline.year > 1 else ""
    )
    renews = renewal_date(subscription)
    when = f"at the renewal on {renews:%Y-%m-%d}" if renews else "at the renewal"
    return (
        "Microsoft accepts fewer licenses on a new-commerce subscription only within 7 days "
        f"(168 hours) of its purchase or renewal{closed}. It becomes possible {when}: schedule the "
        "renewal quantity in Partner Center (Tenantry does not schedule it yet), or turn "
        "auto-renew off so that the subscription ends then."
    )


def check_decrease(row: MicrosoftSubscription, now: datetime) -> None:
    subscription = resource(row)
    if subscription is None:
        return
    deadline = decrease_deadline(subscription)
    if deadline is not None and now >= deadline:
        raise Conflict(
            decrease_closed_message(subscription, deadline), reason="decrease_window_closed"
        )


def check_may_buy_more(organization: Organization) -> None:
    """Blocked, rejected or not yet approved customers get no more licenses (fewer, and
    auto-renew off, stay possible)."""
    if organization.status is not OrganizationStatus.ACTIVE:
        raise Conflict(
            f"{organization.display_name} is {organization.status.value.replace('_', ' ')}: it "
            "cannot get more licenses or renewals until it is active again.",
            reason="organization_not_active",
        )


def check_changeable(row: MicrosoftSubscription) -> None:
    status = (row.status or "").lower()
    if status and status != "active":
        raise Conflict(
            f"this subscription is {status}: only an active subscription changes",
            reason="subscription_not_active",
        )
    if row.is_trial:
        raise Conflict(
            "a trial keeps its licenses; it changes when converted to a paid subscription",
            reason="subscription_is_trial",
        )
