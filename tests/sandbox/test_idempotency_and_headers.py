"""Writes repeated with one MS-RequestId act once; every answer carries Partner Center's headers."""

from __future__ import annotations

import asyncio
import copy
import uuid
from typing import Any

from .conftest import Sandbox, sample


def create_body(domain: str) -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(sample("create-customer-request.json"))
    body["CompanyProfile"]["Domain"] = domain
    return body


async def count_customers(sandbox: Sandbox) -> int:
    body = (await sandbox.call("GET", "/v1/customers?size=500")).json()
    return int(body["totalCount"])


async def test_create_repeated_with_the_same_request_id_returns_the_first_result(
    sandbox: Sandbox,
) -> None:
    headers = {"MS-RequestId": str(uuid.uuid4()), "MS-CorrelationId": str(uuid.uuid4())}
    first = await sandbox.call("POST", "/v1/customers", json=create_body("once"), headers=headers)
    again = await sandbox.call("POST", "/v1/customers", json=create_body("once"), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()  # the same customer, even the same one-time password
    assert await count_customers(sandbox) == 1


async def test_a_new_request_id_is_a_new_request(sandbox: Sandbox) -> None:
    body = create_body("twice")
    first = await sandbox.call("POST", "/v1/customers", json=body, headers={"MS-RequestId": "a"})
    second = await sandbox.call("POST", "/v1/customers", json=body, headers={"MS-RequestId": "b"})
    assert first.status_code == 201
    assert second.status_code == 409  # the domain now exists


async def test_concurrent_repeats_act_once(sandbox: Sandbox) -> None:
    headers = {"MS-RequestId": str(uuid.uuid4())}
    responses = await asyncio.gather(
        *(
            sandbox.call("POST", "/v1/customers", json=create_body("together"), headers=headers)
            for _ in range(5)
        )
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert await count_customers(sandbox) == 1


async def test_business_failures_are_replayed_but_retryable_answers_are_not(
    sandbox: Sandbox,
) -> None:
    await sandbox.customer(domain="takenalready")
    headers = {"MS-RequestId": str(uuid.uuid4())}
    conflict = await sandbox.call(
        "POST", "/v1/customers", json=create_body("takenalready"), headers=headers
    )
    assert conflict.status_code == 409
    await sandbox.control("POST", "/reset")  # the domain is free again...
    replay = await sandbox.call(
        "POST", "/v1/customers", json=create_body("takenalready"), headers=headers
    )
    # ...but the reset also forgot the stored answers, so this is a fresh request.
    assert replay.status_code == 201

    await sandbox.control(
        "PUT", "/faults", json={"rules": [{"kind": "error", "status": 503, "path": "/v1/*",
                                           "times": 1}]}
    )  # fmt: skip
    headers = {"MS-RequestId": str(uuid.uuid4())}
    failed = await sandbox.call("POST", "/v1/customers", json=create_body("later"), headers=headers)
    assert failed.status_code == 503
    retried = await sandbox.call(
        "POST", "/v1/customers", json=create_body("later"), headers=headers
    )
    assert retried.status_code == 201


async def test_the_same_request_id_from_another_partner_is_another_request(
    sandbox: Sandbox,
) -> None:
    reseller = uuid.UUID((await sandbox.reseller("Other Partner"))["tenantId"])
    headers = {"MS-RequestId": "shared-id"}
    mine = await sandbox.call("POST", "/v1/customers", json=create_body("mine"), headers=headers)
    theirs = await sandbox.call(
        "POST", "/v1/customers", json=create_body("theirs"), headers=headers, tenant=reseller
    )
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


async def test_correlation_and_request_ids_are_echoed(sandbox: Sandbox) -> None:
    correlation, request = str(uuid.uuid4()), str(uuid.uuid4())
    response = await sandbox.call(
        "GET",
        "/v1/customers",
        headers={"MS-CorrelationId": correlation, "MS-RequestId": request},
    )
    assert response.headers["MS-CorrelationId"] == correlation
    assert response.headers["MS-RequestId"] == request
    assert response.headers["MS-CV"].endswith(".0")
    assert response.headers["MS-ServerId"] == sandbox.settings.server_id
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"


async def test_ids_are_generated_when_the_caller_sends_none(sandbox: Sandbox) -> None:
    response = await sandbox.client.get("/v1/customers")  # even a refused call
    assert response.status_code == 401
    for header in ("MS-CorrelationId", "MS-RequestId", "MS-CV", "MS-ServerId"):
        assert response.headers[header]
    uuid.UUID(response.headers["MS-RequestId"])
