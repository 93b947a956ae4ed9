"""End to end: a customer buys a trial once its Microsoft Customer Agreement is confirmed, the
order provisions, the trial converts to paid keeping its users' licenses; and the product's own
Partner Center client, pointed at the sandbox, agrees with it operation by operation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tenantry.partnercenter import (
    AgreementRequired,
    PartnerCenterClient,
    PartnerCenterConfig,
    TokenBucket,
)
from tenantry.partnercenter.models.commerce import Cart, CartLineItem, Order, OrderLineItem
from tenantry.partnercenter.models.subscriptions import Transition

from .commerce_support import (
    PREMIUM,
    PREMIUM_SKU,
    PREMIUM_TRIAL,
    TRIAL_OFFER,
    Sandbox,
    assign_license,
    buyer,
    checkout,
    commerce_database,
    fails,
    licenses_of,
    line,
    new_cart,
    ok,
    provisioned,
    sample,
    units,
)

__all__ = ["commerce_database"]


async def test_a_customer_buys_a_trial_and_converts_it_to_paid(sandbox: Sandbox) -> None:
    customer = await buyer(sandbox, attested=False, extraUsers=1)
    cart = await new_cart(sandbox, customer, line(PREMIUM_TRIAL, 25, term=None))
    fails(await checkout(sandbox, customer, cart["id"]), 403, 13605)

    agreement = sample("create-agreement-request.json")
    ok(await sandbox.call("POST", f"/v1/customers/{customer}/agreements", json=agreement), 201)
    [order] = ok(await checkout(sandbox, customer, cart["id"]), 201)["orders"]
    assert order["status"] == "pending"

    completed = await provisioned(sandbox, customer, order["id"])
    trial_id = completed["lineItems"][0]["subscriptionId"]
    subscriptions = ok(await sandbox.call("GET", f"/v1/customers/{customer}/subscriptions"))
    [trial] = subscriptions["items"]
    assert (trial["id"], trial["isTrial"], trial["status"]) == (trial_id, True, "active")
    owned = await units(sandbox, customer, PREMIUM_SKU)
    assert owned is not None and owned["activeUnits"] == 25
    user = await assign_license(sandbox, customer, PREMIUM_SKU)

    path = f"/v1/customers/{customer}/subscriptions/{trial_id}"
    eligible = ok(await sandbox.call("GET", f"{path}/transitionEligibilities"))
    paid_item = eligible["items"][0]
    assert paid_item["catalogItemId"] == PREMIUM
    assert paid_item["subscriptionEligibilities"] == [], "none for a trial, as documented"
    conversion = {
        "fromCatalogItemId": trial["offerId"],
        "fromSubscriptionId": trial_id,
        "toCatalogItemId": PREMIUM,
        "quantity": 10,
        "termDuration": "P1Y",
        "billingCycle": "Monthly",
        "transitionType": "transition_only",
    }
    converted = ok(await sandbox.call("POST", f"{path}/transitions", json=conversion))

    paid = ok(
        await sandbox.call(
            "GET", f"/v1/customers/{customer}/subscriptions/{converted['toSubscriptionId']}"
        )
    )
    assert (paid["offerId"], paid["isTrial"], paid["quantity"]) == (PREMIUM, False, 10)
    assert ok(await sandbox.call("GET", path))["status"] == "deleted"
    assert await licenses_of(sandbox, customer, user) == {PREMIUM_SKU}, "the user kept it"
    owned = await units(sandbox, customer, PREMIUM_SKU)
    assert owned is not None and (owned["activeUnits"], owned["consumedUnits"]) == (10, 1)


async def test_the_partner_center_client_agrees_with_the_sandbox(
    sandbox: Sandbox, client_config: PartnerCenterConfig
) -> None:
    customer = await buyer(sandbox, extraUsers=1)
    refused = await buyer(sandbox, attested=False)
    limiter = TokenBucket(1e6, 1e6)
    async with PartnerCenterClient(client_config, http=sandbox.client, limiter=limiter) as pc:
        products = await pc.list_products("US", "OnlineServicesNCE", target_segment="commercial")
        product = await pc.get_product("cfq7ttc0lchc", "US")
        assert product.id in {p.id for p in products}
        skus = await pc.list_skus(product.id, "US")
        trial_sku = await pc.get_sku(product.id, next(s.id for s in skus if s.is_trial), "US")
        [availability] = await pc.list_availabilities(product.id, trial_sku.id, "US")
        trial_item = await pc.get_availability(product.id, trial_sku.id, availability.id, "US")
        assert trial_item.catalog_item_id == PREMIUM_TRIAL

        wanted = CartLineItem(catalog_item_id=PREMIUM_TRIAL, quantity=10, billing_cycle="monthly")
        cart = await pc.create_cart(customer, Cart(line_items=[wanted]))
        cart.line_items[0].quantity = 20
        cart = await pc.update_cart(customer, cart)
        assert (
            cart.id is not None
            and (await pc.get_cart(customer, cart.id)).line_items[0].quantity == 20
        )
        result = await pc.checkout_cart(customer, cart.id)
        assert result.order_errors == []
        order_id = result.orders[0].id
        assert order_id is not None
        order = await pc.get_order(customer, order_id)
        assert order.status == "completed"
        assert [o.id for o in await pc.list_orders(customer)] == [order_id]
        [status] = await pc.get_order_provisioning_status(customer, order_id)
        assert status.status == "fulfilled"
        [trial] = await pc.list_subscriptions_by_order(customer, order_id)
        assert (await pc.get_subscription(customer, trial.id)).is_trial is True

        paid_option, *upgrades = await pc.list_transition_eligibilities(customer, trial.id)
        assert paid_option.catalog_item_id == PREMIUM and upgrades, "then E3 and E5"
        transition = await pc.create_transition(
            customer,
            trial.id,
            Transition(
                to_catalog_item_id=paid_option.catalog_item_id,
                quantity=12,
                term_duration="P1Y",
                billing_cycle="monthly",
                transition_type="transition_with_license_transfer",
            ),
        )
        [done] = await pc.list_transitions(customer, trial.id)
        assert (
            done.status == "Completed" and done.to_subscription_id == transition.to_subscription_id
        )
        assert transition.to_subscription_id is not None
        paid = await pc.get_subscription(customer, transition.to_subscription_id)
        paid.quantity = 15
        updated = await pc.update_subscription(customer, paid)
        assert updated.quantity == 15 and updated.etag != paid.etag
        assert {s.id for s in await pc.list_subscriptions(customer)} == {trial.id, paid.id}

        legacy = await pc.create_order(
            customer,
            Order(
                billing_cycle="none",
                line_items=[OrderLineItem(line_item_number=0, offer_id=TRIAL_OFFER, quantity=25)],
            ),
        )
        assert legacy.id is not None
        [legacy_trial] = await pc.list_subscriptions_by_order(customer, legacy.id)
        [offer] = await pc.list_trial_conversions(customer, legacy_trial.id)
        outcome = await pc.convert_trial(customer, legacy_trial.id, offer)
        assert outcome.subscription_id == legacy_trial.id

        refused_cart = await pc.create_cart(refused, Cart(line_items=[wanted]))
        assert refused_cart.id is not None
        with pytest.raises(AgreementRequired):
            await pc.checkout_cart(refused, refused_cart.id)

        today = datetime.now(UTC).date()
        operations = [r.operation_type async for r in pc.iter_audit_records(today, size=2)]
        assert operations.count("create_order") == 2, "the checkout and the legacy order"
        assert {"update_subscription", "upgrade_subscription", "convert_trial_subscription"} <= set(
            operations
        )
