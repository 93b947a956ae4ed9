"""The catalog: products by view, SKUs and availabilities, shaped like the documented samples,
and Partner Center's answers for what does not exist."""

from __future__ import annotations

from .commerce_support import BASIC, E5, Sandbox, commerce_database, fails, ok, sample
from .shapes import assert_same_shape

__all__ = ["commerce_database"]

# ``sku-by-id.json`` is an Azure reservation; a new-commerce SKU (the NCE example of the
# ``get-a-list-of-skus-for-a-product`` page) adds ``actions`` and has other dynamic attributes.
NCE_SKU = {
    **sample("sku-by-id.json"),
    "actions": ["Refund"],
    "dynamicAttributes": {
        "isMicrosoftProduct": True,
        "hasConstraints": True,
        "isAddon": False,
        "prerequisiteSkus": [],
        "isSoftwareAssuranceApplicable": False,
        "upgradeTargetOffers": ["CFQ7TTC0LDPB:0001"],
        "provisioningId": "3b555118-da6a-4418-894f-7df1e2096870",
        "internal": False,
    },
}
# The documented new-commerce availability (get-an-availability-by-id page; no sample file).
AVAILABILITY = {
    "id": "CFQ7TTC0K971",
    "productId": "CFQ7TTC0LH18",
    "skuId": "0001",
    "catalogItemId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
    "defaultCurrency": {"code": "USD", "symbol": "$"},
    "segment": "commercial",
    "country": "US",
    "isPurchasable": True,
    "isRenewable": True,
    "renewalInstructions": [
        {
            "applicableTermIds": ["5aeco6mffyxo"],
            "renewalOptions": [{"renewToId": "CFQ7TTC0LH18:0001", "isAutoRenewable": True}],
        }
    ],
    "terms": [
        {
            "id": "5aeco6mffyxo",
            "duration": "P1Y",
            "description": "One-Year commitment for monthly/yearly billing",
            "billingCycle": "Annual",
            "cancellationPolicies": [
                {"refundOptions": [{"sequenceId": 0, "type": "Full", "expiresAfter": "P1D"}]}
            ],
        }
    ],
    "product": sample("product-nce.json"),
    "sku": NCE_SKU,
    "links": {"self": {"uri": "/products/...", "method": "GET", "headers": []}},
}


async def test_products_of_the_license_view_have_the_documented_shape(sandbox: Sandbox) -> None:
    listed = ok(await sandbox.call("GET", "/v1/products?country=US&targetView=OnlineServicesNCE"))
    titles = {item["title"] for item in listed["items"]}
    assert {
        "Microsoft 365 Business Basic",
        "Microsoft 365 Business Standard",
        "Microsoft 365 Business Premium",
        "Microsoft 365 E3",
        "Microsoft 365 E5",
        "Exchange Online (Plan 1)",
        "Microsoft Teams Essentials",
    } <= titles
    assert listed["totalCount"] == len(listed["items"])
    assert listed["links"]["self"]["uri"] == "/products?country=US&targetView=OnlineServicesNCE"
    for item in listed["items"]:
        assert_same_shape(item, sample("product-nce.json"))

    product = ok(await sandbox.call("GET", "/v1/products/CFQ7TTC0LH18?country=US"))
    assert_same_shape(product, sample("product-nce.json"))
    assert product["title"] == "Microsoft 365 Business Basic"
    assert product["links"]["skus"]["uri"] == "/products/CFQ7TTC0LH18/skus?country=US"


async def test_skus_and_availabilities_have_the_documented_shape(sandbox: Sandbox) -> None:
    skus = ok(await sandbox.call("GET", "/v1/products/CFQ7TTC0LH18/skus?country=US"))
    assert [(s["id"], s["isTrial"]) for s in skus["items"]] == [("0001", False), ("0002", True)]
    for item in skus["items"]:
        assert_same_shape(item, NCE_SKU)
    sku = ok(await sandbox.call("GET", "/v1/products/CFQ7TTC0LH18/skus/0001?country=US"))
    assert_same_shape(sku, NCE_SKU)
    assert (sku["minimumQuantity"], sku["maximumQuantity"]) == (1, 300)
    assert sku["supportedBillingCycles"] == ["annual", "monthly"]
    assert sku["dynamicAttributes"]["provisioningId"] == "3b555118-da6a-4418-894f-7df1e2096870"

    path = "/v1/products/CFQ7TTC0LH18/skus/0001/availabilities"
    availabilities = ok(await sandbox.call("GET", f"{path}?country=US"))
    assert [a["catalogItemId"] for a in availabilities["items"]] == [BASIC]
    availability = ok(await sandbox.call("GET", f"{path}/CFQ7TTC0K971?country=US"))
    assert_same_shape(availability, AVAILABILITY)
    assert availability["catalogItemId"] == BASIC
    assert {(t["duration"], t["billingCycle"]) for t in availability["terms"]} == {
        ("P1M", "Monthly"),
        ("P1Y", "Monthly"),
        ("P1Y", "Annual"),
    }


async def test_the_documented_sample_item_ids_are_sold(sandbox: Sandbox) -> None:
    product, sku, availability = E5.split(":")
    found = ok(
        await sandbox.call(
            "GET",
            f"/v1/products/{product}/skus/{sku}/availabilities/{availability}?country=GB",
        )
    )
    assert found["defaultCurrency"] == {"code": "GBP", "symbol": "£"}
    assert found["country"] == "GB"


MISSING = [
    ("/v1/products/CFQ7TTC0XXXX?country=US", 404, 400013),
    ("/v1/products/CFQ7TTC0XXXX/skus?country=US", 404, 400013),
    ("/v1/products/CFQ7TTC0LH18/skus/0099?country=US", 404, 400018),
    ("/v1/products/CFQ7TTC0LH18/skus/0001/availabilities/CFQ7TTC0OLD1?country=US", 404, 400019),
    ("/v1/products?country=US&targetView=Groceries", 403, 400036),
    ("/v1/products?country=US&targetView=OnlineServices&targetSegment=education", 403, 400030),
    ("/v1/products?targetView=OnlineServices", 400, 3000),
    ("/v1/products/CFQ7TTC0LH18?country=ZZ", 400, 3000),
]


async def test_what_does_not_exist_answers_the_documented_code(sandbox: Sandbox) -> None:
    for path, status, code in MISSING:
        fails(await sandbox.call("GET", path), status, code)


async def test_other_views_are_valid_and_every_call_needs_a_token(sandbox: Sandbox) -> None:
    listed = ok(
        await sandbox.call("GET", "/v1/products?country=US&targetView=Azure", app_only=True)
    )
    assert listed["items"] == [] and listed["totalCount"] == 0
    fails(await sandbox.client.get("/v1/products/CFQ7TTC0LH18?country=US"), 401, 400)
