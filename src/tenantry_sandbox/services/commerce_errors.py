"""Partner Center's catalog, commerce and subscription errors (codes from the error table).

The generic ones (3000 invalid property, 20002 no relationship, 2055 stale etag, 900123 reseller
without the Microsoft Partner Agreement, 900329 app-only refused) live in
``tenantry_sandbox.errors`` and are reused from there.
"""

from __future__ import annotations

from tenantry_sandbox.errors import PartnerCenterError


def product_not_found(product_id: str) -> PartnerCenterError:
    return PartnerCenterError(404, 400013, f"Product {product_id} was not found.")


def sku_not_found(product_id: str, sku_id: str) -> PartnerCenterError:
    return PartnerCenterError(404, 400018, f"SKU {sku_id} of product {product_id} was not found.")


def availability_not_found(catalog_item_id: str) -> PartnerCenterError:
    return PartnerCenterError(
        404,
        400019,
        f"Availability not found for {catalog_item_id}. Get the current availability id and retry.",
    )


def target_view_not_allowed(target_view: str) -> PartnerCenterError:
    return PartnerCenterError(
        403, 400036, f"Access to the requested targetView {target_view} is not allowed."
    )


def target_segment_not_allowed(segment: str) -> PartnerCenterError:
    return PartnerCenterError(
        403, 400030, f"Access to the requested targetSegment {segment} is not allowed."
    )


def agreement_required() -> PartnerCenterError:
    return PartnerCenterError(
        403,
        13605,
        "Either a partner confirmation of the customer acceptance of the Microsoft Customer "
        "Agreement must be provided or the customer must accept the Microsoft Customer Agreement "
        "in the Microsoft Admin Center before you can complete this purchase",
    )


def cart_not_found(cart_id: object) -> PartnerCenterError:
    return PartnerCenterError(404, 800008, f"Unable to retrieve cart ID {cart_id}.")


def cart_submitted(cart_id: object) -> PartnerCenterError:
    return PartnerCenterError(400, 800065, f"can't check out an already submitted cart {cart_id}.")


def order_not_found(order_id: str) -> PartnerCenterError:
    return PartnerCenterError(404, 20000, f"Order ID {order_id} not found")


def subscription_not_found(subscription_id: object) -> PartnerCenterError:
    return PartnerCenterError(404, 20003, f"Subscription with ID {subscription_id} not found.")


def invalid_offer(offer_id: str) -> PartnerCenterError:
    return PartnerCenterError(400, 800004, f"Invalid offer ID {offer_id}.")


def line_quantity_out_of_range(line: int) -> PartnerCenterError:
    return PartnerCenterError(
        400,
        900275,
        f"The requested quantity for line item {line} is not within the allowed quantity for "
        "this offer.",
    )


def quantity_out_of_range() -> PartnerCenterError:
    return PartnerCenterError(
        400, 2002, "Subscription quantity isn't within minimum and maximum allowed quantity"
    )


def term_invalid(term: str | None) -> PartnerCenterError:
    return PartnerCenterError(400, 800121, f"The term duration provided ({term}) is invalid.")


def billing_cycle_invalid(cycle: str | None) -> PartnerCenterError:
    return PartnerCenterError(400, 900269, f"The billing cycle {cycle} is invalid.")


def billing_cycle_longer_than_term() -> PartnerCenterError:
    return PartnerCenterError(400, 900270, "The billing cycle cannot be longer than the term.")


def line_numbers_invalid() -> PartnerCenterError:
    return PartnerCenterError(
        400, 800071, "Line Item number should be from 0 to number of line items count"
    )


def partner_on_record_invalid(mpn_id: str) -> PartnerCenterError:
    return PartnerCenterError(
        404, 2072, f"PartnerID {mpn_id} of Indirect Provider isn't valid as Partner On Record"
    )


def addon_not_related() -> PartnerCenterError:
    return PartnerCenterError(
        400, 800029, "The add-on isn't related to the specified parent subscription"
    )


def subscription_deleted(subscription_id: object) -> PartnerCenterError:
    return PartnerCenterError(
        400, 2011, f"Subscription with ID {subscription_id} and deleted status can't be updated."
    )


def quantity_change_while_suspended() -> PartnerCenterError:
    return PartnerCenterError(
        400,
        2001,
        "Subscription quantity can't be increased or decreased while subscription is being "
        "suspended",
    )


def seat_quantity_fixed() -> PartnerCenterError:
    return PartnerCenterError(400, 800095, "Can't update the seat quantity for this subscription")


def seat_reduction_window_passed(hours: int) -> PartnerCenterError:
    return PartnerCenterError(
        400,
        900214,
        f"You have passed your {hours}-hour window for reducing seats for this subscription.",
    )


def billing_cycle_not_updatable() -> PartnerCenterError:
    return PartnerCenterError(
        400,
        2054,
        "The billing cycle for an existing subscription can't be updated using "
        "update-subscription operation. Use update-Order operation",
    )


def auto_renew_not_allowed() -> PartnerCenterError:
    return PartnerCenterError(400, 800093, "The subscription isn't eligible to be auto-renewed")


def status_not_updatable(status: str) -> PartnerCenterError:
    return PartnerCenterError(
        400, 800096, f"Can't update the status for this subscription to {status}"
    )


def not_active() -> PartnerCenterError:
    return PartnerCenterError(400, 800012, "This subscription isn't an active subscription")


def not_eligible(catalog_item_id: str) -> PartnerCenterError:
    return PartnerCenterError(
        403, 800020, f"The catalog item {catalog_item_id} isn't eligible for purchase."
    )


def target_not_active() -> PartnerCenterError:
    return PartnerCenterError(
        400,
        900258,
        "The target transition ToSubscriptionId field is invalid. Target subscription must be "
        "active.",
    )


def target_is_source() -> PartnerCenterError:
    return PartnerCenterError(
        400,
        900259,
        "The target transition ToSubscriptionId field is invalid. Target subscription id can't "
        "be the same as the source subscription ID.",
    )


def target_catalog_mismatch() -> PartnerCenterError:
    return PartnerCenterError(
        400,
        900260,
        "The target transition ToSubscriptionId field is invalid. Target subscription must have "
        "the same CatalogItemId as in the transition request.",
    )


def target_term_shorter() -> PartnerCenterError:
    return PartnerCenterError(
        400,
        900267,
        "Target transition can't have a term duration shorter than that of the source "
        "subscription.",
    )
