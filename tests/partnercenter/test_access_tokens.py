"""The clients one Partner Center access makes (a job run's, a request's) share their access
tokens: the token endpoint is asked once, not once per client, until the token nears expiry or
Partner Center refuses it."""

from __future__ import annotations

import httpx

from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.settings import Settings

from .test_asgi import stand_in

TOKEN_PATH = "/oauth2/v2.0/token"


class Counting(httpx.AsyncBaseTransport):
    """The stand-in's transport, counting the token requests."""

    def __init__(self) -> None:
        self.inner = httpx.ASGITransport(app=stand_in())
        self.token_requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(TOKEN_PATH):
            self.token_requests += 1
        return await self.inner.handle_async_request(request)


def settings() -> Settings:
    return Settings(
        partner_center_api_url="http://sandbox.test", partner_center_login_url="http://sandbox.test"
    )


async def test_clients_of_one_access_fetch_one_token() -> None:
    transport = Counting()
    access = PartnerCenterAccess(settings(), transport)
    for customer in ("c1", "c2", "c3"):
        async with access.client() as client:
            assert (await client.get_customer(customer)).id == customer
    async with access.client(lookup=True) as client:
        await client.get_customer("c4")
    assert transport.token_requests == 1


async def test_another_access_fetches_its_own() -> None:
    transport = Counting()
    for _ in range(2):
        async with PartnerCenterAccess(settings(), transport).client() as client:
            await client.get_customer("c1")
    assert transport.token_requests == 2
