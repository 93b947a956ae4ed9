"""Orders: from checkout or placed directly, pending until provisioned, then subscriptions and
licenses; the documented order, provisioning-status and subscription shapes."""

from __future__ import annotations

from .commerce_support import (
    ARCHIVING_ADDON,
    AZURE_OFFER,
    BASIC,
    BASIC_SKU,
    E5,
    EXCHANGE_OFFER,
    Sandbox,
    buy,
    buyer,
    checkout,
    commerce_database,
    fails,
    line,
    move_clock,
    new_cart,
    ok,
    provisioned,
    sample,
    subscription_of,
    units,
)
from .shapes import assert_same_shape

__all__ = ["commerce_database"]

# The documented samples are legacy (Azure reservation) orders; a new-commerce order (checkout
# page, NCE example) adds these members.
NCE_ORDER_EXTRA = (
    "alternateId",
    "transactionType",
    "totalPrice",
    "lineItems[].termDuration",
    "lineItems[].transactionType",
    "lineItems[].pricing",
    "lineItems[].subscriptionId",
    "lineItems[].links.product",
    "lineItems[].links.availability",
)


def order_body(*lines: dict[str, object], cycle: str = "monthly") -> dict[str, object]:
    numbered = [{"LineItemNumber": number, **item} for number, item in enumerate(lines)]
    return {"BillingCycle": cycle, "LineItems": numbered}


async def test_checkout_places_orders_that_provision_on_the_next_read(sandbox: Sandbox) -> None:
    customer = await buyer(sandbox)
    cart = await new_cart(
        sandbox,
        customer,
        line(BASIC, 5, "P1Y", FriendlyName="Head office"),
        line(E5, 2, "P1Y", "Annual"),
    )
    result = ok(await checkout(sandbox, customer, cart["id"]), 201)
    assert result["orderErrors"] == []
    assert [o["billingCycle"] for o in result["orders"]] == ["monthly", "annual"]
    for placed in result["orders"]:
        assert placed["status"] == "pending"
        assert "subscriptionId" not in placed["lineItems"][0], "ids appear once provisioned"
        assert_same_shape(placed, sample("get-order.json"), allow_extra=NCE_ORDER_EXTRA)
    basic_order = result["orders"][0]
    assert basic_order["lineItems"][0]["friendlyName"] == "Head office"
    assert basic_order["totalPrice"] == 6.0 * 5 * 12

    path = f"/v1/customers/{customer}/orders/{basic_order['id']}"
    read = ok(await sandbox.call("GET", path))
    assert read["status"] == "completed"
    assert_same_shape(read, sample("get-order.json"), allow_extra=NCE_ORDER_EXTRA)
    subscription_id = read["lineItems"][0]["subscriptionId"]

    status = ok(await sandbox.call("GET", f"{path}/provisioningstatus"))
    assert_same_shape(status, sample("order-provisioning-status.json"))
    assert status["items"][0]["status"] == "fulfilled"

    listed = ok(await sandbox.call("GET", f"/v1/customers/{customer}/orders"))
    assert [o["id"] for o in listed["items"]] == [o["id"] for o in result["orders"]]
    assert all(o["status"] == "completed" for o in listed["items"]), "listing is a read too"

    subscription = await subscription_of(sandbox, customer, basic_order["id"])
    assert subscription["id"] == subscription_id
    assert (subscription["quantity"], subscription["friendlyName"]) == (5, "Head office")
    owned = await units(sandbox, customer, BASIC_SKU)
    assert owned is not None and (owned["activeUnits"], owned["consumedUnits"]) == (5, 0)

    for missing in (path.replace(basic_order["id"], "000000000000"),):
        fails(await sandbox.call("GET", missing), 404, 20000)
        fails(await sandbox.call("GET", f"{missing}/provisioningstatus"), 404, 20000)
    fails(
        await sandbox.call("GET", f"/v1/customers/{customer}/subscriptions?order_id=nope"),
        404,
        20000,
    )


async def test_provisioning_progresses_as_the_control_api_says(sandbox: Sandbox) -> None:
    customer = await buyer(sandbox)
    orders = f"/v1/customers/{customer}/orders"

    await sandbox.control("PUT", "/provisioning", json={"polls": 3, "seconds": None})
    order = await buy(sandbox, customer, line(BASIC, 2))
    assert ok(await sandbox.call("GET", f"{orders}/{order['id']}"))["status"] == "pending"
    status = ok(await sandbox.call("GET", f"{orders}/{order['id']}/provisioningstatus"))
    assert status["items"][0]["status"] == "pending"
    subscription = await subscription_of(sandbox, customer, order["id"])
    assert subscription["quantity"] == 2, "the third read completed the order"

    await sandbox.control("PUT", "/provisioning", json={"polls": None, "seconds": 120})
    order = await buy(sandbox, customer, line(BASIC, 1))
    assert ok(await sandbox.call("GET", f"{orders}/{order['id']}"))["status"] == "pending"
    await move_clock(sandbox, 121)
    assert ok(await sandbox.call("GET", f"{orders}/{order['id']}"))["status"] == "completed"

    settings = await sandbox.control("PUT", "/provisioning", json={"polls": None, "seconds": None})
    assert settings == {"polls": None, "seconds": None}
    order = await buy(sandbox, customer, line(BASIC, 1))
    for _ in range(3):
        assert ok(await sandbox.call("GET", f"{orders}/{order['id']}"))["status"] == "pending"
    done = await sandbox.control("POST", f"/customers/{customer}/orders/{order['id']}/complete")
    assert done["status"] == "completed" and len(done["subscriptionIds"]) == 1
    assert (await provisioned(sandbox, customer, order["id"]))["lineItems"][0]["subscriptionId"]

    await sandbox.control("PUT", "/provisioning", json={"polls": 0})
    assert (await buy(sandbox, customer, line(BASIC, 1)))["status"] == "completed"
    owned = await units(sandbox, customer, BASIC_SKU)
    assert owned is not None and owned["activeUnits"] == 2 + 1 + 1 + 1


async def test_orders_placed_directly(sandbox: Sandbox) -> None:
    customer = await buyer(sandbox)
    path = f"/v1/customers/{customer}/orders"
    # The documented request buys an Azure reservation, which the sandbox does not sell.
    fails(await sandbox.call("POST", path, json=sample("create-order-request.json")), 404, 400013)

    placed = ok(
        await sandbox.call(
            "POST", path, json=order_body({"OfferId": BASIC, "Quantity": 3, "TermDuration": "P1Y"})
        ),
        201,
    )
    # get-order.json, the same resource read back, shows currencySymbol too.
    extra = (*NCE_ORDER_EXTRA, "currencySymbol")
    assert_same_shape(placed, sample("create-order-response.json"), allow_extra=extra)
    assert placed["status"] == "pending"

    azure = ok(
        await sandbox.call("POST", path, json=order_body({"OfferId": AZURE_OFFER, "Quantity": 1})),
        201,
    )
    usage = await subscription_of(sandbox, customer, azure["id"])
    assert_same_shape(usage, sample("get-subscription-azure.json"))
    # The collection samples list legacy subscriptions without the offer id and name that the
    # Azure sample of the same resource shows; the sandbox's collections link to themselves.
    by_order = ok(
        await sandbox.call("GET", f"/v1/customers/{customer}/subscriptions?order_id={azure['id']}")
    )
    listed_extra = ("links", "items[].offerId", "items[].offerName")
    assert_same_shape(by_order, sample("subscriptions-by-order.json"), allow_extra=listed_extra)
    assert_same_shape(by_order, sample("customer-subscriptions.json"), allow_extra=listed_extra)
    assert (usage["unitType"], usage["billingType"]) == ("Usage-based", "usage")

    exchange = ok(
        await sandbox.call(
            "POST", path, json=order_body({"OfferId": EXCHANGE_OFFER, "Quantity": 10})
        ),
        201,
    )
    parent = await subscription_of(sandbox, customer, exchange["id"])
    addon = {"OfferId": ARCHIVING_ADDON, "Quantity": 2, "ParentSubscriptionId": parent["id"]}
    placed_addon = ok(await sandbox.call("POST", path, json=order_body(addon)), 201)
    child = await subscription_of(sandbox, customer, placed_addon["id"])
    assert_same_shape(child, sample("get-subscription-addon.json"))
    assert child["parentSubscriptionId"] == parent["id"]
    addons = ok(
        await sandbox.call("GET", f"/v1/customers/{customer}/subscriptions/{parent['id']}/addons")
    )
    assert [s["id"] for s in addons["items"]] == [child["id"]]

    broken = [
        (order_body({"OfferId": ARCHIVING_ADDON, "Quantity": 1}), 400, 800029),
        (order_body({**addon, "ParentSubscriptionId": usage["id"]}), 400, 800029),
        ({**order_body({"OfferId": BASIC, "Quantity": 1, "TermDuration": "P1M"}),
          "LineItems": [{"LineItemNumber": 3, "OfferId": BASIC, "Quantity": 1}]}, 400, 800071),
        (order_body({"OfferId": "5D2C1A39-0A0E-4B39-9E0D-2B2E3A4C5D6E", "Quantity": 1}), 400, 800004),
        ({**order_body({"OfferId": AZURE_OFFER, "Quantity": 1}), "CurrencyCode": "EUR"}, 400, 900169),
        ({"LineItems": [{"LineItemNumber": 0, "OfferId": AZURE_OFFER, "Quantity": 1}]}, 400, 3000),
    ]  # fmt: skip
    for body, status, code in broken:
        fails(await sandbox.call("POST", path, json=body), status, code)

    unattested = await buyer(sandbox, attested=False)
    fails(
        await sandbox.call(
            "POST",
            f"/v1/customers/{unattested}/orders",
            json=order_body({"OfferId": AZURE_OFFER, "Quantity": 1}),
        ),
        403,
        13605,
    )
