"""Carts and checkout: the documented cart, its lifetime and etag, the rules each line passes,
and who may check out what."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from .commerce_support import (
    BASIC,
    BASIC_TRIAL,
    E5,
    PREMIUM,
    Sandbox,
    buyer,
    checkout,
    commerce_database,
    fails,
    line,
    move_clock,
    new_cart,
    ok,
    sample,
)
from .shapes import assert_same_shape

__all__ = ["commerce_database"]

# The sandbox gives carts an etag (in ``attributes``, where Partner Center resources carry it)
# so concurrent updates are detected.
CART_EXTRA = ("attributes.etag",)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_a_cart_is_created_read_and_updated_as_documented(sandbox: Sandbox) -> None:
    customer = await buyer(sandbox)
    path = f"/v1/customers/{customer}/carts"
    created = ok(await sandbox.call("POST", path, json=sample("cart-create-request-nce.json")), 201)
    assert_same_shape(created, sample("cart-create-response-nce.json"), allow_extra=CART_EXTRA)
    item = created["lineItems"][0]
    assert (item["catalogItemId"], item["billingCycle"], item["termDuration"]) == (
        E5,
        "monthly",
        "P1M",
    )
    # E5 is 57.00 a month on a yearly term; a monthly term costs 20% more.
    assert item["pricing"]["price"] == 68.4 and item["currencyCode"] == "USD"
    lifetime = _moment(created["expirationTimestamp"]) - _moment(created["creationTimestamp"])
    assert lifetime == timedelta(days=7)
    assert created["links"]["self"]["uri"] == f"/customers/{customer}/carts/{created['id']}"

    read = ok(await sandbox.call("GET", f"{path}/{created['id']}"))
    assert read == created

    changed = {**created, "lineItems": [{**item, "quantity": 12, "termDuration": "P1Y"}]}
    updated = ok(await sandbox.call("PUT", f"{path}/{created['id']}", json=changed))
    assert updated["lineItems"][0]["quantity"] == 12
    assert updated["lineItems"][0]["pricing"]["extendedPrice"] == 57.0 * 12 * 12
    assert updated["attributes"]["etag"] != created["attributes"]["etag"]
    # The first version's etag is no longer current.
    fails(await sandbox.call("PUT", f"{path}/{created['id']}", json=changed), 412, 2055)
    without_etag = {**changed, "attributes": {"objectType": "Cart"}}
    ok(await sandbox.call("PUT", f"{path}/{created['id']}", json=without_etag))


BAD_LINES = [
    (line("CFQ7TTC0XXXX:0001:CFQ7TTC0K971"), 404, 400013),
    (line("CFQ7TTC0LH18:0099:CFQ7TTC0K971"), 404, 400018),
    (line("CFQ7TTC0LH18:0001:CFQ7TTC0OLD1"), 404, 400019),
    (line("not-a-catalog-item"), 400, 3000),
    (line(BASIC, quantity=0), 400, 900275),
    (line(BASIC, quantity=301), 400, 900275),
    (line(BASIC_TRIAL, quantity=26, term=None), 400, 900275),
    (line(BASIC, term="P3Y"), 400, 800121),
    (line(BASIC, term=None), 400, 800121),
    (line(BASIC, term="P1M", cycle="Annual"), 400, 900270),
    (line(BASIC, cycle="Fortnightly"), 400, 900269),
]


async def test_every_cart_line_passes_the_purchase_rules(sandbox: Sandbox) -> None:
    customer = await buyer(sandbox)
    path = f"/v1/customers/{customer}/carts"
    for bad, status, code in BAD_LINES:
        body = {"lineItems": [line(BASIC), bad]}
        fails(await sandbox.call("POST", path, json=body), status, code)
    fails(await sandbox.call("POST", path, json={"lineItems": []}), 400, 3000)

    cart = await new_cart(sandbox, customer, line(BASIC, 2), line(E5, 1, "P1Y", "Annual"))
    groups = [(item["id"], item["orderGroup"]) for item in cart["lineItems"]]
    assert groups == [(0, "0"), (1, "1")], "one order per billing cycle"


async def test_the_reseller_of_record_must_be_a_signed_reseller_of_the_network(
    sandbox: Sandbox,
) -> None:
    customer = await buyer(sandbox)
    signed = await sandbox.reseller("First Up Consultants")
    unsigned = await sandbox.reseller("ReleCloud", mpaSigned=False)
    stranger = await sandbox.reseller("Outsider IT", inNetwork=False)

    def with_reseller(mpn_id: str) -> dict[str, object]:
        return line(BASIC, Participants=[{"Key": "transaction_reseller", "Value": mpn_id}])

    cart = await new_cart(sandbox, customer, with_reseller(signed["mpnId"]))
    assert cart["lineItems"][0]["participants"] == [
        {"key": "transaction_reseller", "value": signed["mpnId"]}
    ]
    path = f"/v1/customers/{customer}/carts"
    for reseller, status, code in [(stranger, 404, 2072), (unsigned, 403, 900123)]:
        body = {"lineItems": [with_reseller(reseller["mpnId"])]}
        fails(await sandbox.call("POST", path, json=body), status, code)
    fails(
        await sandbox.call("POST", path, json={"lineItems": [with_reseller("1234567")]}), 404, 2072
    )


async def test_who_may_buy_and_what_can_be_checked_out(sandbox: Sandbox) -> None:
    stranger = await buyer(sandbox, relationship="none")
    fails(
        await sandbox.call(
            "POST", f"/v1/customers/{stranger}/carts", json={"lineItems": [line(BASIC)]}
        ),
        403,
        20002,
    )

    unattested = await buyer(sandbox, attested=False)
    cart = await new_cart(sandbox, unattested, line(PREMIUM, 3))
    fails(await checkout(sandbox, unattested, cart["id"]), 403, 13605)
    still = ok(await sandbox.call("GET", f"/v1/customers/{unattested}/carts/{cart['id']}"))
    assert still["status"] == "Active", "a refused checkout leaves the cart as it was"

    # Signed by the customer in the admin center: buying is allowed without a confirmation.
    direct = await buyer(sandbox, attested=False, mcaDirectSigned=True)
    cart = await new_cart(sandbox, direct, line(PREMIUM, 3))
    retry = {"MS-RequestId": "7d3c9b3a-5f43-4d6c-9a64-0d0e6b3e3a11"}
    first = await sandbox.call(
        "POST", f"/v1/customers/{direct}/carts/{cart['id']}/checkout", headers=retry
    )
    again = await sandbox.call(
        "POST", f"/v1/customers/{direct}/carts/{cart['id']}/checkout", headers=retry
    )
    assert ok(first, 201) == ok(again, 201), "a retry with the same MS-RequestId replays"
    assert (
        ok(await sandbox.call("GET", f"/v1/customers/{direct}/carts/{cart['id']}"))["status"]
        == "Ordered"
    )
    fails(await checkout(sandbox, direct, cart["id"]), 400, 800065)
    fails(
        await sandbox.call(
            "PUT", f"/v1/customers/{direct}/carts/{cart['id']}", json={"lineItems": [line(BASIC)]}
        ),
        400,
        800065,
    )
    orders = ok(await sandbox.call("GET", f"/v1/customers/{direct}/orders"))
    assert len(orders["items"]) == 1, "checked out once"

    # Concurrent checkouts of one cart: one places the orders, the others are refused.
    contested = await new_cart(sandbox, direct, line(BASIC))
    answers = await asyncio.gather(*(checkout(sandbox, direct, contested["id"]) for _ in range(3)))
    assert sorted(a.status_code for a in answers) == [201, 400, 400]
    assert len(ok(await sandbox.call("GET", f"/v1/customers/{direct}/orders"))["items"]) == 2

    # A cart lives seven days; then it is gone.
    stale = await new_cart(sandbox, direct, line(BASIC))
    await move_clock(sandbox, timedelta(days=7, seconds=1).total_seconds())
    fails(await sandbox.call("GET", f"/v1/customers/{direct}/carts/{stale['id']}"), 404, 800008)
    fails(await checkout(sandbox, direct, stale["id"]), 404, 800008)
