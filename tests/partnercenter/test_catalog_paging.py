"""The catalog's listings read every page, however a Partner Center pages them: a ``links.next``
with the token in its header, a top-level ``continuationToken`` alone, throttling and server
errors between pages, and properties this release does not know."""

from __future__ import annotations

from typing import Any

import pytest

from tenantry.partnercenter import UnexpectedResponse

from .fakes import ClientFactory, FakeService, load_sample, reply

PRODUCT = load_sample("product-nce.json")


def products_page(
    ids: list[str], token: str | None = None, *, link: bool = True, top_level: bool = False
) -> dict[str, Any]:
    page: dict[str, Any] = {
        "totalCount": len(ids),
        "items": [{**PRODUCT, "id": product_id, "newlyAddedField": {"x": 1}} for product_id in ids],
        "links": {"self": {"uri": "/products?country=DK&targetView=OnlineServicesNCE"}},
        "attributes": {"objectType": "Collection"},
        "someFutureFlag": True,
    }
    if token and link:
        page["links"]["next"] = {
            "uri": "/products?country=DK&targetView=OnlineServicesNCE&seekOperation=Next",
            "method": "GET",
            "headers": [{"key": "MS-ContinuationToken", "value": token}],
        }
    if token and top_level:
        page["continuationToken"] = token
    return page


async def test_products_come_from_every_page_with_the_query_kept(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(
        reply(200, products_page(["P1", "P2"], "after-2")),
        reply(200, products_page(["P3"], "after-3", link=False, top_level=True)),
        reply(200, products_page(["P4"])),
    )

    products = await make_client().list_products(
        "DK", "OnlineServicesNCE", target_segment="commercial"
    )

    assert [p.id for p in products] == ["P1", "P2", "P3", "P4"]
    assert products[0].title == PRODUCT["title"]
    first, second, third = service.requests
    query = {"country": "DK", "targetView": "OnlineServicesNCE", "targetSegment": "commercial"}
    assert dict(first.url.params) == query
    assert "MS-ContinuationToken" not in first.headers
    assert dict(second.url.params) == query | {"seekOperation": "Next"}
    assert second.headers["MS-ContinuationToken"] == "after-2"
    assert third.headers["MS-ContinuationToken"] == "after-3"
    assert {r.url.path for r in service.requests} == {"/v1/products"}


async def test_throttling_and_server_errors_between_pages_are_waited_out(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(
        reply(200, products_page(["P1"], "t1")),
        reply(429, {"code": 429, "description": "Rate limit is exceeded"}, {"Retry-After": "2"}),
        reply(503, {"code": 503, "description": "Service unavailable"}),
        reply(200, products_page(["P2"])),
    )

    products = await make_client().list_products("DK", "OnlineServicesNCE")

    assert [p.id for p in products] == ["P1", "P2"]
    # The same page was asked for again each time, with its token.
    assert [r.headers.get("MS-ContinuationToken") for r in service.requests] == [
        None,
        "t1",
        "t1",
        "t1",
    ]


async def test_skus_and_availabilities_page_too(
    service: FakeService, make_client: ClientFactory
) -> None:
    sku = load_sample("sku-by-id.json")
    service.script(
        reply(200, {"totalCount": 1, "items": [sku], "continuationToken": "s1"}),
        reply(200, {"totalCount": 1, "items": [{**sku, "id": "00G2"}]}),
        reply(200, {"totalCount": 1, "items": [{"id": "A1"}], "continuationToken": "a1"}),
        reply(200, {"totalCount": 1, "items": [{"id": "A2", "unknown": []}]}),
    )
    client = make_client()

    skus = await client.list_skus("DZH318Z0BQ3V", "US")
    availabilities = await client.list_availabilities("DZH318Z0BQ3V", "00G1", "US")

    assert [s.id for s in skus] == ["00G1", "00G2"]
    assert [a.id for a in availabilities] == ["A1", "A2"]


async def test_a_token_that_repeats_stops_the_listing(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(
        reply(200, products_page(["P1"], "same")),
        reply(200, products_page(["P2"], "same")),
    )

    with pytest.raises(UnexpectedResponse, match="repeated"):
        await make_client().list_products("DK", "OnlineServicesNCE")
