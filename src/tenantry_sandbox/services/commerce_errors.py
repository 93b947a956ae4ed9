"""Partner Center's catalog, commerce and subscription errors (codes from the error table).

The generic ones (3000 invalid property, 20002 no relationship, 2055 stale etag, 900123 reseller
without the Microsoft Partner Agreement, 900329 app-only refused) live in
``tenantry_sandbox.errors`` and are reused from there.

Each error is one row: HTTP status, Partner Center code and description. ``_fixed`` rows always
say the same; ``_naming`` rows fill the ``{}`` of their description with the one thing they name
(an id, a term, a line number). Each call builds a new exception, as each raise needs its own.
"""

from __future__ import annotations

from collections.abc import Callable

from tenantry_sandbox.errors import PartnerCenterError


def _fixed(status: int, code: int, description: str) -> Callable[[], PartnerCenterError]:
    def error() -> PartnerCenterError:
        return PartnerCenterError(status, code, description)

    return error


def _naming(status: int, code: int, description: str) -> Callable[[object], PartnerCenterError]:
    def error(subject: object) -> PartnerCenterError:
        return PartnerCenterError(status, code, description.format(subject))

    return error


# ----------------------------------------------------------------------------------- catalog


def sku_not_found(product_id: str, sku_id: str) -> PartnerCenterError:
    return PartnerCenterError(404, 400018, f"SKU {sku_id} of product {product_id} was not found.")


product_not_found = _naming(404, 400013, "Product {} was not found.")
availability_not_found = _naming(
    404,
    400019,
    "Availability not found for {}. Get the current availability id and retry.",
)
target_view_not_allowed = _naming(
    403, 400036, "Access to the requested targetView {} is not allowed."
)
target_segment_not_allowed = _naming(
    403, 400030, "Access to the requested targetSegment {} is not allowed."
)

# ------------------------------------------------------------------------- carts and orders

agreement_required = _fixed(
    403,
    13605,
    "Either a partner confirmation of the customer acceptance of the Microsoft Customer "
    "Agreement must be provided or the customer must accept the Microsoft Customer Agreement "
    "in the Microsoft Admin Center before you can complete this purchase",
)
cart_not_found = _naming(404, 800008, "Unable to retrieve cart ID {}.")
cart_submitted = _naming(400, 800065, "can't check out an already submitted cart {}.")
order_not_found = _naming(404, 20000, "Order ID {} not found")
invalid_offer = _naming(400, 800004, "Invalid offer ID {}.")
line_quantity_out_of_range = _naming(
    400,
    900275,
    "The requested quantity for line item {} is not within the allowed quantity for this offer.",
)
term_invalid = _naming(400, 800121, "The term duration provided ({}) is invalid.")
billing_cycle_invalid = _naming(400, 900269, "The billing cycle {} is invalid.")
billing_cycle_longer_than_term = _fixed(
    400, 900270, "The billing cycle cannot be longer than the term."
)
line_numbers_invalid = _fixed(
    400, 800071, "Line Item number should be from 0 to number of line items count"
)
partner_on_record_invalid = _naming(
    404, 2072, "PartnerID {} of Indirect Provider isn't valid as Partner On Record"
)
addon_not_related = _fixed(
    400, 800029, "The add-on isn't related to the specified parent subscription"
)
not_eligible = _naming(403, 800020, "The catalog item {} isn't eligible for purchase.")

# ----------------------------------------------------------------------------- subscriptions

subscription_not_found = _naming(404, 20003, "Subscription with ID {} not found.")
quantity_out_of_range = _fixed(
    400, 2002, "Subscription quantity isn't within minimum and maximum allowed quantity"
)
subscription_deleted = _naming(
    400, 2011, "Subscription with ID {} and deleted status can't be updated."
)
quantity_change_while_suspended = _fixed(
    400,
    2001,
    "Subscription quantity can't be increased or decreased while subscription is being suspended",
)
seat_quantity_fixed = _fixed(400, 800095, "Can't update the seat quantity for this subscription")
seat_reduction_window_passed = _naming(
    400, 900214, "You have passed your {}-hour window for reducing seats for this subscription."
)
billing_cycle_not_updatable = _fixed(
    400,
    2054,
    "The billing cycle for an existing subscription can't be updated using "
    "update-subscription operation. Use update-Order operation",
)
auto_renew_not_allowed = _fixed(400, 800093, "The subscription isn't eligible to be auto-renewed")
status_not_updatable = _naming(400, 800096, "Can't update the status for this subscription to {}")
not_active = _fixed(400, 800012, "This subscription isn't an active subscription")

# ------------------------------------------------------------------------------- transitions

target_not_active = _fixed(
    400,
    900258,
    "The target transition ToSubscriptionId field is invalid. Target subscription must be active.",
)
target_is_source = _fixed(
    400,
    900259,
    "The target transition ToSubscriptionId field is invalid. Target subscription id can't "
    "be the same as the source subscription ID.",
)
target_catalog_mismatch = _fixed(
    400,
    900260,
    "The target transition ToSubscriptionId field is invalid. Target subscription must have "
    "the same CatalogItemId as in the transition request.",
)
target_term_shorter = _fixed(
    400,
    900267,
    "Target transition can't have a term duration shorter than that of the source subscription.",
)
