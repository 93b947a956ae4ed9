"""Throttling per tenant, and faults injected at given rates, deterministically."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from typing import Any

import httpx
import pytest
import uvicorn

from .conftest import Sandbox, sample
from .shapes import assert_same_shape


async def set_faults(sandbox: Sandbox, *rules: dict[str, Any], seed: int | None = 7) -> None:
    await sandbox.control("PUT", "/faults", json={"seed": seed, "rules": list(rules)})


# ------------------------------------------------------------------------- throttling


async def test_a_tenant_over_its_limit_gets_429_with_retry_after(sandbox: Sandbox) -> None:
    await sandbox.control("PUT", "/rate-limits", json={"requestsPerMinute": 5})
    for _ in range(5):
        assert (await sandbox.call("GET", "/v1/customers")).status_code == 200
    refused = await sandbox.call("GET", "/v1/customers")
    assert refused.status_code == 429
    assert_same_shape(refused.json(), sample("error-429-throttled.json"))
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert refused.json() == {
        "statusCode": 429,
        "message": f"Rate limit is exceeded. Try again in {retry_after} seconds.",
    }
    await sandbox.control("POST", "/clock", json={"advanceSeconds": retry_after})
    assert (await sandbox.call("GET", "/v1/customers")).status_code == 200


async def test_limits_are_per_tenant_and_configurable_per_tenant(sandbox: Sandbox) -> None:
    reseller = uuid.UUID((await sandbox.reseller("Busy Reseller"))["tenantId"])
    await sandbox.control(
        "PUT",
        "/rate-limits",
        json={"requestsPerMinute": 2, "perTenant": {str(reseller): 4}},
    )
    statuses = [(await sandbox.call("GET", "/v1/customers")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    statuses = [
        (await sandbox.call("GET", "/v1/customers", tenant=reseller)).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    limits = await sandbox.control("GET", "/rate-limits")
    assert limits == {"requestsPerMinute": 2, "perTenant": {str(reseller): 4}}


async def test_the_default_limit_is_partner_centers_500_per_minute(sandbox: Sandbox) -> None:
    assert (await sandbox.control("GET", "/rate-limits"))["requestsPerMinute"] == 500


# ----------------------------------------------------------------------------- faults


async def run(sandbox: Sandbox, count: int, path: str = "/v1/customers") -> list[int]:
    statuses = []
    for _ in range(count):
        statuses.append((await sandbox.call("GET", path)).status_code)
    return statuses


async def test_faults_fire_at_the_given_rate_and_repeat_with_the_seed(sandbox: Sandbox) -> None:
    rule = {"kind": "throttle", "rate": 0.25, "path": "/v1/customers*", "retryAfter": 3}
    await sandbox.token()  # fetch the token before faults apply to the token endpoint
    await sandbox.control("PUT", "/rate-limits", json={"requestsPerMinute": 10_000})
    await set_faults(sandbox, rule, seed=42)
    first = await run(sandbox, 400)
    throttled = first.count(429)
    assert 70 <= throttled <= 130, throttled
    assert set(first) == {200, 429}
    assert (await sandbox.control("GET", "/faults"))["fired"] == [throttled]
    await set_faults(sandbox, rule, seed=42)
    assert await run(sandbox, 400) == first
    await set_faults(sandbox, rule, seed=43)
    assert await run(sandbox, 400) != first


async def test_an_injected_throttle_carries_retry_after(sandbox: Sandbox) -> None:
    await set_faults(sandbox, {"kind": "throttle", "path": "/v1/*", "retryAfter": 9})
    response = await sandbox.call("GET", "/v1/customers")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "9"
    assert "MS-CorrelationId" in response.headers


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_fire_a_given_number_of_times(sandbox: Sandbox, status: int) -> None:
    await set_faults(sandbox, {"kind": "error", "status": status, "path": "/v1/*", "times": 2})
    statuses = await run(sandbox, 4)
    assert statuses == [status, status, 200, 200]
    error = (await sandbox.call("GET", "/v1/customers")).json()
    assert set(error) == {"totalCount", "items", "links", "attributes"}


async def test_an_error_body_is_partner_centers(sandbox: Sandbox) -> None:
    await set_faults(sandbox, {"kind": "error", "status": 503, "path": "/v1/*"})
    body = (await sandbox.call("GET", "/v1/customers")).json()
    assert body["code"] == 503
    assert set(body) == {"code", "description", "data", "source", "attributes"}


async def test_faults_are_scoped_by_path_and_method(sandbox: Sandbox) -> None:
    await set_faults(
        sandbox, {"kind": "error", "status": 500, "path": "/v1/customers/*", "methods": ["GET"]}
    )
    customer = await sandbox.customer()
    assert (await sandbox.call("GET", f"/v1/customers/{customer['id']}")).status_code == 500
    assert (await sandbox.call("GET", "/v1/customers")).status_code == 200
    patched = await sandbox.call(
        "PATCH", f"/v1/customers/{customer['id']}", json={"relationshipToPartner": "none"}
    )
    assert patched.status_code == 200
    assert (await sandbox.client.get("/_sandbox/faults")).status_code == 200  # never faulted


async def test_a_dropped_connection_is_a_transport_error(sandbox: Sandbox) -> None:
    await set_faults(sandbox, {"kind": "disconnect", "path": "/v1/*", "times": 1})
    with pytest.raises(httpx.RemoteProtocolError):
        await sandbox.call("GET", "/v1/customers")
    assert (await sandbox.call("GET", "/v1/customers")).status_code == 200


async def test_the_token_endpoint_can_fail_too(sandbox: Sandbox) -> None:
    await set_faults(sandbox, {"kind": "error", "status": 503, "path": "*/oauth2/v2.0/token"})
    response = await sandbox.client.post(f"/{sandbox.partner_id}/oauth2/v2.0/token", data={})
    assert response.status_code == 503


async def test_latency_is_added(sandbox: Sandbox) -> None:
    await sandbox.token()
    await set_faults(sandbox, {"kind": "latency", "latencyMs": 60, "path": "/v1/*"})
    started = time.perf_counter()
    response = await sandbox.call("GET", "/v1/customers")
    assert response.status_code == 200
    assert time.perf_counter() - started >= 0.06


async def test_a_write_dropped_after_processing_is_replayed_on_retry(sandbox: Sandbox) -> None:
    """The classic timeout: the customer was created, the answer lost; the retry with the same
    MS-RequestId gets the first answer and no second customer is made."""
    body = sample("create-customer-request.json")
    headers = {"MS-RequestId": str(uuid.uuid4()), "MS-CorrelationId": str(uuid.uuid4())}
    await set_faults(
        sandbox,
        {"kind": "disconnect", "path": "/v1/customers", "methods": ["POST"], "afterResponse": True,
         "times": 1},
    )  # fmt: skip
    with pytest.raises(httpx.TransportError):
        await sandbox.call("POST", "/v1/customers", json=body, headers=headers)
    retried = await sandbox.call("POST", "/v1/customers", json=body, headers=headers)
    assert retried.status_code == 201, retried.text
    listed = (await sandbox.call("GET", "/v1/customers")).json()
    assert [item["id"] for item in listed["items"]] == [retried.json()["id"]]


async def test_a_real_server_drops_the_connection(sqlite_sandbox: Sandbox) -> None:
    """Over a socket (uvicorn), the client sees the peer vanish, not an HTTP answer."""
    sandbox = sqlite_sandbox
    token = await sandbox.token(app_only=True)
    await set_faults(sandbox, {"kind": "disconnect", "path": "/v1/*"})
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(sandbox.app, log_level="critical", lifespan="off"))
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get("/v1/customers", headers={"Authorization": f"Bearer {token}"})
            healthy = await client.get("/_sandbox/rate-limits")
            assert healthy.status_code == 200
    finally:
        server.should_exit = True
        await serving
        listener.close()
