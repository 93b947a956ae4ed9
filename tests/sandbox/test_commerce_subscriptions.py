"""Subscriptions: the documented shapes, updates and their rules, legacy trial conversions and
new-commerce transitions, and the licenses that follow them."""

from __future__ import annotations

from typing import Any

from .commerce_support import (
    BASIC,
    BASIC_SKU,
    BASIC_TRIAL,
    EXCHANGE_OFFER,
    PAID_OFFER,
    PREMIUM,
    PREMIUM_SKU,
    STANDARD_SKU,
    TRIAL_OFFER,
    Sandbox,
    assign_license,
    bought,
    buyer,
    commerce_database,
    fails,
    licenses_of,
    line,
    move_clock,
    ok,
    sample,
    subscription_of,
    units,
)
from .shapes import assert_same_shape

__all__ = ["commerce_database"]

# The new-commerce sample has no etag; the add-on and Azure samples of the same resource do.
WITH_ETAG = ("attributes.etag",)


async def test_a_subscription_is_read_and_changed_within_the_rules(sandbox: Sandbox) -> None:
    customer = await buyer(sandbox)
    sub = await bought(sandbox, customer, line(BASIC, 5, "P1Y"))
    assert_same_shape(sub, sample("get-subscription-nce.json"), allow_extra=WITH_ETAG)
    assert (sub["offerId"], sub["status"], sub["autoRenewEnabled"]) == (BASIC, "active", True)
    path = f"/v1/customers/{customer}/subscriptions/{sub['id']}"
    assert ok(await sandbox.call("GET", path)) == sub

    listed = ok(await sandbox.call("GET", f"/v1/customers/{customer}/subscriptions"))
    envelope = sample("customer-subscriptions-software.json")
    assert_same_shape({**listed, "items": []}, {**envelope, "items": []})
    assert [s["id"] for s in listed["items"]] == [sub["id"]]

    grown = ok(await sandbox.call("PATCH", path, json={**sub, "quantity": 8}))
    assert grown["quantity"] == 8 and grown["attributes"]["etag"] != sub["attributes"]["etag"]
    owned = await units(sandbox, customer, BASIC_SKU)
    assert owned is not None and owned["activeUnits"] == 8
    fails(await sandbox.call("PATCH", path, json={**sub, "quantity": 9}), 412, 2055)

    # The full resource is sent back; leaving autoRenewEnabled out turns auto-renew off.
    partial = {k: v for k, v in grown.items() if k != "autoRenewEnabled"}
    assert ok(await sandbox.call("PATCH", path, json=partial))["autoRenewEnabled"] is False
    current = ok(await sandbox.call("GET", path))
    rules: list[tuple[dict[str, Any], int, int]] = [
        ({"quantity": 301}, 400, 2002),
        ({"quantity": 0}, 400, 2002),
        ({"billingCycle": "annual"}, 400, 2054),
        ({"status": "deleted"}, 400, 800096),
    ]
    for change, status, code in rules:
        fails(await sandbox.call("PATCH", path, json={**current, **change}), status, code)

    suspended = ok(await sandbox.call("PATCH", path, json={**current, "status": "suspended"}))
    owned = await units(sandbox, customer, BASIC_SKU)
    assert owned is not None and (owned["activeUnits"], owned["suspendedUnits"]) == (0, 8)
    fails(await sandbox.call("PATCH", path, json={**suspended, "quantity": 9}), 400, 2001)
    active = ok(await sandbox.call("PATCH", path, json={**suspended, "status": "active"}))

    await move_clock(sandbox, 169 * 3600)
    fails(await sandbox.call("PATCH", path, json={**active, "quantity": 7}), 400, 900214)
    assert ok(await sandbox.call("PATCH", path, json={**active, "quantity": 10}))["quantity"] == 10

    trial = await bought(sandbox, customer, line(BASIC_TRIAL, 10, term=None))
    assert trial["isTrial"] is True and trial["scheduledNextTermInstructions"]["quantity"] == 10
    trial_path = f"/v1/customers/{customer}/subscriptions/{trial['id']}"
    fails(await sandbox.call("PATCH", trial_path, json={**trial, "quantity": 12}), 400, 800095)
    fails(
        await sandbox.call("GET", path[:-36] + "00000000-0000-0000-0000-000000000000"), 404, 20003
    )


async def test_a_legacy_trial_converts_in_place_and_its_users_keep_their_licenses(
    sandbox: Sandbox,
) -> None:
    customer = await buyer(sandbox, extraUsers=1)
    orders = f"/v1/customers/{customer}/orders"
    trial_order = {
        "BillingCycle": "none",
        "LineItems": [{"LineItemNumber": 0, "OfferId": TRIAL_OFFER, "Quantity": 25}],
    }
    placed = ok(await sandbox.call("POST", orders, json=trial_order), 201)
    trial = await subscription_of(sandbox, customer, placed["id"])
    assert trial["isTrial"] is True and trial["offerId"] == TRIAL_OFFER
    user = await assign_license(sandbox, customer, STANDARD_SKU)

    conversions_path = f"/v1/customers/{customer}/subscriptions/{trial['id']}/conversions"
    conversions = ok(await sandbox.call("GET", conversions_path))
    assert_same_shape(conversions, sample("trial-conversions.json"))
    offer = conversions["items"][0]
    assert (offer["targetOfferId"], offer["orderId"], offer["quantity"]) == (
        PAID_OFFER,
        placed["id"],
        25,
    )
    fails(await sandbox.call("GET", conversions_path, app_only=True), 403, 900329)

    request = {**sample("trial-conversion-request.json"), "OrderId": placed["id"], "Quantity": 10}
    result = ok(await sandbox.call("POST", conversions_path, json=request))
    assert_same_shape(result, sample("trial-conversion-response.json"))
    assert result["subscriptionId"] == trial["id"], "the trial's subscription id is kept"

    paid = ok(await sandbox.call("GET", f"/v1/customers/{customer}/subscriptions/{trial['id']}"))
    assert (paid["offerId"], paid["quantity"], paid.get("isTrial")) == (PAID_OFFER, 10, None)
    assert paid["offerName"] == "Office 365 Business Premium"
    assert STANDARD_SKU in await licenses_of(sandbox, customer, user)
    owned = await units(sandbox, customer, STANDARD_SKU)
    assert owned is not None and (owned["activeUnits"], owned["consumedUnits"]) == (10, 1)

    assert ok(await sandbox.call("GET", conversions_path))["items"] == []
    fails(await sandbox.call("POST", conversions_path, json=request), 400, 3000)


async def test_transitions_upgrade_seats_and_move_licenses(sandbox: Sandbox) -> None:
    # The customer holds two Business Basic licenses, both assigned, from a one-year
    # subscription bought long ago.
    customer = await buyer(sandbox, extraUsers=1, skus=[{"skuId": BASIC_SKU, "units": 2}])
    subscriptions = f"/v1/customers/{customer}/subscriptions"
    source = ok(await sandbox.call("GET", subscriptions))["items"][0]
    assert (source["offerId"], source["quantity"]) == (BASIC, 2)
    recent = await bought(sandbox, customer, line(PREMIUM, 1, "P1Y"))

    path = f"{subscriptions}/{source['id']}"
    eligible = ok(
        await sandbox.call("GET", f"{path}/transitionEligibilities?eligibilityType=immediate")
    )
    assert_same_shape(eligible, sample("transition-eligibilities-nce.json"))
    premium = next(item for item in eligible["items"] if item["catalogItemId"] == PREMIUM)
    assert {e["transitionType"]: e["isEligible"] for e in premium["eligibilities"]} == {
        "transition_only": True,
        "transition_with_license_transfer": True,
    }
    [receiver] = premium["subscriptionEligibilities"]
    assert receiver["subscriptionId"] == recent["id"] and receiver["isEligible"] is False
    assert [error["code"] for error in receiver["errors"]] == [2], "in its cancellation window"

    request = {
        "fromCatalogItemId": BASIC,
        "fromSubscriptionId": source["id"],
        "toCatalogItemId": PREMIUM,
        "quantity": 2,
        "termDuration": "P1Y",
        "billingCycle": "Monthly",
        "transitionType": "transition_with_license_transfer",
    }
    refusals: list[tuple[dict[str, Any], int, int]] = [
        ({"toCatalogItemId": "CFQ7TTC0LH16:0001:CFQ7TTC0K55X"}, 403, 800020),
        ({"quantity": 3}, 400, 2002),
        ({"toSubscriptionId": source["id"]}, 400, 900259),
        ({"toCatalogItemId": "CFQ7TTC0LDPB:0001:CFQ7TTC0K5DN", "toSubscriptionId": recent["id"]}, 400, 900260),
        ({"termDuration": "P1M"}, 400, 900267),
    ]  # fmt: skip
    for change, status, code in refusals:
        fails(
            await sandbox.call("POST", f"{path}/transitions", json={**request, **change}),
            status,
            code,
        )

    started = ok(await sandbox.call("POST", f"{path}/transitions", json=request))
    # The documented answer spells "Events" in PascalCase (doc noise); compared without case.
    assert_same_shape(
        started,
        sample("transition-response-nce.json"),
        fold_case=True,
        allow_extra=("operationId", "status"),
    )
    assert [event["status"] for event in started["events"]] == ["Started", "Started"]

    done = ok(await sandbox.call("GET", f"{path}/transitions"))
    [transition] = done["items"]
    assert transition["status"] == "Completed"
    assert [e["name"] for e in transition["events"]] == ["Conversion", "LicenseReassignment"]
    upgraded = ok(await sandbox.call("GET", f"{subscriptions}/{transition['toSubscriptionId']}"))
    assert (upgraded["offerId"], upgraded["quantity"], upgraded["status"]) == (PREMIUM, 2, "active")
    emptied = ok(await sandbox.call("GET", path))
    assert (emptied["quantity"], emptied["status"]) == (0, "deleted")

    users = ok(await sandbox.call("GET", f"/v1/customers/{customer}/users"))["items"]
    for user in users:
        assert await licenses_of(sandbox, customer, user["id"]) == {PREMIUM_SKU}
    premium_units = await units(sandbox, customer, PREMIUM_SKU)
    assert premium_units is not None and premium_units["activeUnits"] == 3
    basic_units = await units(sandbox, customer, BASIC_SKU)
    assert basic_units is not None and basic_units["activeUnits"] == 0
    fails(await sandbox.call("POST", f"{path}/transitions", json=request), 400, 800012)

    exchange = {
        "BillingCycle": "monthly",
        "LineItems": [{"LineItemNumber": 0, "OfferId": EXCHANGE_OFFER, "Quantity": 1}],
    }
    legacy = ok(await sandbox.call("POST", f"/v1/customers/{customer}/orders", json=exchange), 201)
    legacy_sub = await subscription_of(sandbox, customer, legacy["id"])
    none = ok(
        await sandbox.call("GET", f"{subscriptions}/{legacy_sub['id']}/transitionEligibilities")
    )
    assert none["items"] == []


async def test_more_seats_need_the_microsoft_customer_agreement(sandbox: Sandbox) -> None:
    customer = await buyer(sandbox, attested=False, mca_direct_signed=True)
    sub = await bought(sandbox, customer, line(BASIC, 5, "P1Y"))
    path = f"/v1/customers/{customer}/subscriptions/{sub['id']}"
    await sandbox.control("PUT", f"/customers/{customer}/mca", json={"direct_signed": False})
    fails(await sandbox.call("PATCH", path, json={**sub, "quantity": 6}), 403, 13605)
    assert ok(await sandbox.call("PATCH", path, json={**sub, "quantity": 4}))["quantity"] == 4
