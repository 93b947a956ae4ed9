"""The catalog's listings in pages, the three-year term, other markets, and products Microsoft no
longer sells, as the control API sets them."""

from __future__ import annotations

from typing import Any

from tenantry.partnercenter import PartnerCenterClient, PartnerCenterConfig, TokenBucket

from .commerce_support import BASIC, Sandbox, buyer, commerce_database, fails, line, ok

__all__ = ["commerce_database"]
LISTING = "/v1/products?country=DK&targetView=OnlineServicesNCE"


async def _follow(sandbox: Sandbox, first: dict[str, Any]) -> list[str]:
    """Every product id, following each ``links.next`` as it is written."""
    ids = [item["id"] for item in first["items"]]
    page = first
    while (following := page["links"].get("next")) is not None:
        [header] = following["headers"]
        assert header["key"] == "MS-ContinuationToken"
        page = ok(
            await sandbox.call(
                "GET", "/v1" + following["uri"], headers={header["key"]: header["value"]}
            )
        )
        ids += [item["id"] for item in page["items"]]
    return ids


async def test_listings_come_in_pages_of_the_size_chosen(sandbox: Sandbox) -> None:
    everything = ok(await sandbox.call("GET", LISTING))
    assert "next" not in everything["links"] and len(everything["items"]) == 7

    await sandbox.control("PUT", "/catalog", json={"pageSize": 2})
    first = ok(await sandbox.call("GET", LISTING))
    assert len(first["items"]) == 2
    assert first["links"]["next"]["uri"] == (
        "/products?country=DK&targetView=OnlineServicesNCE&seekOperation=Next"
    )
    assert await _follow(sandbox, first) == [p["id"] for p in everything["items"]]

    # The token alone (without the query) continues the same listing; a forged one is refused.
    token = first["links"]["next"]["headers"][0]["value"]
    second = ok(
        await sandbox.call(
            "GET", "/v1/products?country=DK&targetView=OnlineServicesNCE&seekOperation=Next",
            headers={"MS-ContinuationToken": token},
        )
    )  # fmt: skip
    assert [p["id"] for p in second["items"]] == [p["id"] for p in everything["items"][2:4]]
    forged = await sandbox.call(
        "GET", f"{LISTING}&seekOperation=Next", headers={"MS-ContinuationToken": token + "x"}
    )
    fails(forged, 400, 3000)


async def test_three_year_terms_and_the_danish_market(sandbox: Sandbox) -> None:
    path = "/v1/products/CFQ7TTC0LFLX/skus/0001/availabilities?country=DK"
    [availability] = ok(await sandbox.call("GET", path))["items"]
    assert availability["defaultCurrency"]["code"] == "DKK"
    assert {(t["duration"], t["billingCycle"]) for t in availability["terms"]} == {
        ("P1M", "Monthly"),
        ("P1Y", "Monthly"),
        ("P1Y", "Annual"),
        ("P3Y", "Monthly"),
        ("P3Y", "Annual"),
        ("P3Y", "Triennial"),
    }


async def test_a_withdrawn_product_is_no_longer_listed_named_or_sold(sandbox: Sandbox) -> None:
    customer = await buyer(sandbox)
    await sandbox.control("PUT", "/catalog", json={"withdrawnProducts": ["cfq7ttc0lh18"]})
    assert await sandbox.control("GET", "/catalog") == {
        "pageSize": 100,
        "withdrawnProducts": ["CFQ7TTC0LH18"],
    }

    listed = ok(await sandbox.call("GET", LISTING))
    assert "CFQ7TTC0LH18" not in {p["id"] for p in listed["items"]}
    fails(await sandbox.call("GET", "/v1/products/CFQ7TTC0LH18/skus?country=DK"), 404, 400013)
    cart = await sandbox.call(
        "POST", f"/v1/customers/{customer}/carts", json={"LineItems": [line(BASIC)]}
    )
    fails(cart, 404, 400013)

    await sandbox.control("PUT", "/catalog", json={"withdrawnProducts": []})
    assert "CFQ7TTC0LH18" in {p["id"] for p in ok(await sandbox.call("GET", LISTING))["items"]}


async def test_the_client_reads_every_page(
    sandbox: Sandbox, client_config: PartnerCenterConfig
) -> None:
    await sandbox.control("PUT", "/catalog", json={"pageSize": 1})
    limiter = TokenBucket(1e6, 1e6)
    async with PartnerCenterClient(client_config, http=sandbox.client, limiter=limiter) as pc:
        products = await pc.list_products("DK", "OnlineServicesNCE", target_segment="commercial")
        skus = await pc.list_skus("CFQ7TTC0LCHC", "DK")
    assert len(products) == 7
    assert [(s.id, s.is_trial) for s in skus] == [("0001", False), ("0002", True)]
