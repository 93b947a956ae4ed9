"""The client runs unchanged against any ASGI app that speaks the contract: only the URLs differ.

This is how it will be pointed at the sandbox; here a minimal stand-in answers.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Form, Header, HTTPException

from tenantry.partnercenter import PartnerCenterClient, PartnerCenterConfig, TokenBucket

from .fakes import load_sample


def stand_in() -> FastAPI:
    app = FastAPI()

    @app.post("/{tenant_id}/oauth2/v2.0/token")
    async def token(tenant_id: str, grant_type: str = Form()) -> dict[str, object]:
        return {"token_type": "Bearer", "expires_in": 3599, "access_token": f"{grant_type}"}

    @app.get("/v1/customers/{customer_id}")
    async def customer(
        customer_id: str,
        authorization: str = Header(),
        ms_requestid: str = Header(alias="MS-RequestId"),
    ) -> dict[str, object]:
        if authorization != "Bearer client_credentials" or not ms_requestid:
            raise HTTPException(401)
        return {**load_sample("get-customer.json"), "id": customer_id}

    return app


async def test_client_over_asgi_transport() -> None:
    config = PartnerCenterConfig(
        api_url="http://sandbox.test",
        login_url="http://sandbox.test",
        tenant_id="partner-tenant",
        client_id="app",
        client_secret="secret",
    )
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=stand_in()))
    client = PartnerCenterClient(config, http=http, limiter=TokenBucket(1e6, 1e6))

    async with client:
        customer = await client.get_customer("c42")

    assert customer.id == "c42"
    assert customer.company_profile is not None
    assert not http.is_closed, "a client passed in belongs to the caller"
    await http.aclose()


async def test_owned_http_client_is_closed() -> None:
    client = PartnerCenterClient(PartnerCenterConfig(), limiter=TokenBucket(1, 1))
    async with client:
        pass
    assert client._http.is_closed
