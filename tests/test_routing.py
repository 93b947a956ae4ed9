"""Routers put behind the beginning their paths share: requests reach the same routes as before,
with the same 404, 405 and trailing-slash answers, and a router is not asked for a path outside
its beginning."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from tenantry.routing import common_literal_prefix, guarded


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["/store", "/store/offers/{slug}", "/store/{seller_id}"], "/store"),
        (["/api/v1/orders/{order_id}", "/api/v1/organizations"], "/api/v1/or"),
        (["/organizations/{organization_id}/people"], "/organizations/"),
        (["/", "/sign-in"], "/"),
        (["/{anything}"], "/"),
        ([], "/"),
    ],
)
def test_the_beginning_is_what_every_path_shares_before_its_first_parameter(
    paths: list[str], expected: str
) -> None:
    assert common_literal_prefix(paths) == expected


def app_of_two_routers() -> FastAPI:
    store = APIRouter(prefix="/store")
    orders = APIRouter()

    @store.get("/offers/{slug}")
    async def offer(slug: str) -> dict[str, str]:
        return {"offer": slug}

    @orders.get("/orders/{order_id}")
    async def order(order_id: int) -> dict[str, int]:
        return {"order": order_id}

    @orders.post("/orders")
    async def place() -> dict[str, str]:
        return {"placed": "yes"}

    app = FastAPI()
    for router in (store, orders):
        app.include_router(guarded(router))
    return app


async def test_requests_reach_the_same_routes_with_the_same_refusals() -> None:
    app = app_of_two_routers()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        assert (await client.get("/store/offers/basic")).json() == {"offer": "basic"}
        assert (await client.get("/orders/7")).json() == {"order": 7}
        assert (await client.post("/orders")).json() == {"placed": "yes"}
        assert (await client.get("/orders")).status_code == 405
        assert (await client.get("/nowhere")).status_code == 404
        redirect = await client.get("/orders/7/")
        assert redirect.status_code == 307
        assert redirect.headers["location"] == "http://test/orders/7"


def test_a_router_is_not_asked_for_a_path_outside_its_beginning() -> None:
    store = APIRouter(prefix="/store")

    @store.get("/offers/{slug}")
    async def offer(slug: str) -> dict[str, str]:
        return {"offer": slug}

    wrapper = guarded(store)
    scope = {"type": "http", "path": "/orders/7", "root_path": "", "method": "GET"}

    assert wrapper is not store
    assert wrapper.matches(scope)[0].name == "NONE"
