"""Headers, retries, throttling and the metrics they leave behind."""

from __future__ import annotations

import uuid
from dataclasses import replace

import httpx
import pytest
from prometheus_client import REGISTRY

from tenantry.partnercenter import (
    BadRequest,
    DomainTaken,
    NotFound,
    PartnerCenterConfig,
    PartnerCenterError,
    RelationshipMissing,
    ServerError,
    Throttled,
    TransportFailure,
    UnexpectedResponse,
)
from tenantry.partnercenter.access import as_lookup
from tenantry.partnercenter.models import Customer

from .fakes import ClientFactory, FakeClock, FakeService, Reply, load_sample, reply

CUSTOMER = load_sample("get-customer.json")
THROTTLED = load_sample("error-429-throttled.json")
NEW_CUSTOMER = Customer.model_validate(load_sample("create-customer-request.json"))


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _is_uuid(value: str | None) -> bool:
    try:
        uuid.UUID(value or "")
    except ValueError:
        return False
    return True


async def test_every_call_carries_ids_token_and_locale(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(reply(200, CUSTOMER), reply(200, CUSTOMER))
    client = make_client()

    await client.get_customer("c1")
    await client.get_customer("c1")

    first, second = service.requests
    for request in (first, second):
        assert _is_uuid(request.headers.get("MS-RequestId"))
        assert _is_uuid(request.headers.get("MS-CorrelationId"))
        assert request.headers["Authorization"] == "Bearer token-1"
        assert request.headers["Accept"] == "application/json"
        assert request.headers["X-Locale"] == "en-US"
    assert first.headers["MS-RequestId"] != second.headers["MS-RequestId"]
    assert first.url == httpx.URL("https://pc.test/v1/customers/c1")


async def test_retried_write_reuses_its_request_id(
    service: FakeService, make_client: ClientFactory, clock: FakeClock
) -> None:
    created = load_sample("create-customer-response.json")
    service.script(
        httpx.ReadTimeout("no answer"),
        reply(503, {"code": 0, "description": "busy"}),
        reply(201, created),
    )

    customer = await make_client().create_customer(NEW_CUSTOMER)

    assert customer.id == created["id"]
    request_ids = {request.headers["MS-RequestId"] for request in service.requests}
    correlation_ids = {request.headers["MS-CorrelationId"] for request in service.requests}
    assert len(service.requests) == 3
    assert len(request_ids) == 1
    assert len(correlation_ids) == 1
    assert len(clock.sleeps) == 2


async def test_429_waits_the_full_retry_after(
    service: FakeService, make_client: ClientFactory, clock: FakeClock
) -> None:
    before = metric("tenantry_partner_center_throttled_total", operation="get_customer")
    service.script(reply(429, THROTTLED, {"Retry-After": "57"}), reply(200, CUSTOMER))

    customer = await make_client().get_customer("c1")

    assert customer.id == CUSTOMER["id"]
    assert clock.sleeps == [57.0]
    after = metric("tenantry_partner_center_throttled_total", operation="get_customer")
    assert after == before + 1


async def test_429_without_retry_after_backs_off(
    service: FakeService, make_client: ClientFactory, clock: FakeClock
) -> None:
    service.script(reply(429, THROTTLED), reply(200, CUSTOMER))

    await make_client().get_customer("c1")

    [delay] = clock.sleeps
    assert 0 < delay <= 0.1


async def test_throttling_gives_up_after_its_budget(
    service: FakeService, make_client: ClientFactory, config: PartnerCenterConfig, clock: FakeClock
) -> None:
    cfg = replace(config, max_throttle_retries=2)
    service.script(*[reply(429, THROTTLED, {"Retry-After": "3"}) for _ in range(3)])

    with pytest.raises(Throttled) as raised:
        await make_client(cfg).get_customer("c1")

    assert raised.value.retry_after == 3
    assert clock.sleeps == [3.0, 3.0]
    assert len(service.requests) == 3


async def test_retry_after_beyond_the_limit_is_not_waited_for(
    service: FakeService, make_client: ClientFactory, config: PartnerCenterConfig, clock: FakeClock
) -> None:
    cfg = replace(config, max_retry_after=60)
    service.script(reply(429, THROTTLED, {"Retry-After": "3600"}))

    with pytest.raises(Throttled):
        await make_client(cfg).get_customer("c1")

    assert clock.sleeps == []


async def test_a_503_asking_to_come_back_later_than_the_limit_is_not_waited_for(
    service: FakeService, make_client: ClientFactory, config: PartnerCenterConfig, clock: FakeClock
) -> None:
    cfg = replace(config, max_retry_after=60)
    service.script(reply(503, {"code": 5000, "description": "down"}, {"Retry-After": "3600"}))

    with pytest.raises(ServerError):
        await make_client(cfg).get_customer("c1")

    assert clock.sleeps == []
    assert len(service.requests) == 1


@pytest.mark.parametrize(
    ("answers", "sleeps"),
    [
        ([reply(429, THROTTLED, {"Retry-After": "30"})], []),
        ([reply(429, THROTTLED, {"Retry-After": "2"}) for _ in range(2)], [2.0]),
        ([reply(503, {"code": 5000, "description": "down"}, {"Retry-After": "120"})], []),
    ],
    ids=["429 for longer than a person waits", "429 twice", "503 for two minutes"],
)
async def test_a_persons_lookup_tells_of_a_busy_partner_center_at_once(
    service: FakeService, make_client: ClientFactory, config: PartnerCenterConfig,
    clock: FakeClock, answers: list[Reply], sleeps: list[float],
) -> None:  # fmt: skip
    """A page waiting on Partner Center is not held for as long as a busy Partner Center asks:
    it shows "Partner Center is busy" within seconds (jobs wait, they have the time)."""
    service.script(*answers)

    with pytest.raises((Throttled, ServerError)):
        await make_client(as_lookup(config)).get_customer("c1")

    assert clock.sleeps == sleeps
    assert len(service.requests) == len(answers)


async def test_server_errors_are_retried_then_raised(
    service: FakeService, make_client: ClientFactory, clock: FakeClock
) -> None:
    before = metric(
        "tenantry_partner_center_retries_total", operation="get_customer", reason="server_error"
    )
    service.script(*[reply(502, {"code": 5000, "description": "bad gateway"}) for _ in range(5)])

    with pytest.raises(ServerError) as raised:
        await make_client().get_customer("c1")

    assert raised.value.status == 502
    assert raised.value.request_id == service.requests[0].headers["MS-RequestId"]
    assert len(service.requests) == 5  # max_attempts
    assert len(clock.sleeps) == 4
    after = metric(
        "tenantry_partner_center_retries_total", operation="get_customer", reason="server_error"
    )
    assert after == before + 4


async def test_backoff_grows_exponentially_up_to_the_cap(
    service: FakeService, make_client: ClientFactory, config: PartnerCenterConfig, clock: FakeClock
) -> None:
    cfg = replace(config, backoff_base=1.0, backoff_max=4.0)
    service.script(*[reply(500) for _ in range(5)])

    with pytest.raises(ServerError):
        await make_client(cfg).get_customer("c1")

    # Equal jitter: each wait lies between half and all of min(cap, base * 2**n).
    for delay, ceiling in zip(clock.sleeps, [1.0, 2.0, 4.0, 4.0], strict=True):
        assert ceiling / 2 <= delay <= ceiling


async def test_transport_errors_are_retried_then_raised(
    service: FakeService, make_client: ClientFactory, clock: FakeClock
) -> None:
    service.script(*[httpx.ConnectError("connection reset") for _ in range(5)])

    with pytest.raises(TransportFailure) as raised:
        await make_client().get_customer("c1")

    assert "connection reset" in raised.value.description
    assert isinstance(raised.value.__cause__, httpx.ConnectError)
    assert len(service.requests) == 5
    assert len(clock.sleeps) == 4


async def test_transport_error_then_success(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(httpx.RemoteProtocolError("peer closed"), reply(200, CUSTOMER))

    customer = await make_client().get_customer("c1")

    assert customer.id == CUSTOMER["id"]


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, {"code": 3000, "description": "Invalid property"}, BadRequest),
        (404, {"code": 1000, "description": "Not found"}, NotFound),
        (403, {"code": 20002, "description": "no commerce relationship"}, RelationshipMissing),
    ],
)
async def test_business_errors_are_raised_at_once(
    service: FakeService,
    make_client: ClientFactory,
    clock: FakeClock,
    status: int,
    body: dict[str, object],
    error: type[PartnerCenterError],
) -> None:
    before = metric(
        "tenantry_partner_center_calls_total",
        operation="get_customer",
        outcome=error.outcome,
    )
    service.script(reply(status, body))

    with pytest.raises(error) as raised:
        await make_client().get_customer("c1")

    assert len(service.requests) == 1
    assert clock.sleeps == []
    assert raised.value.description == body["description"]
    after = metric(
        "tenantry_partner_center_calls_total",
        operation="get_customer",
        outcome=error.outcome,
    )
    assert after == before + 1


async def test_create_customer_conflict_is_domain_taken(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(reply(409, {"code": 600100, "description": "domain exists"}))

    with pytest.raises(DomainTaken):
        await make_client().create_customer(NEW_CUSTOMER)


async def test_success_with_unexpected_body_is_typed(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(reply(200, {"isAgreementSigned": "perhaps"}))

    with pytest.raises(UnexpectedResponse):
        await make_client().get_mpa_status(mpn_id="1")


async def test_successful_calls_are_counted_and_timed(
    service: FakeService, make_client: ClientFactory
) -> None:
    calls = metric(
        "tenantry_partner_center_calls_total", operation="get_customer", outcome="success"
    )
    timed = metric("tenantry_partner_center_call_duration_seconds_count", operation="get_customer")
    service.script(reply(200, CUSTOMER))

    await make_client().get_customer("c1")

    assert (
        metric("tenantry_partner_center_calls_total", operation="get_customer", outcome="success")
        == calls + 1
    )
    assert (
        metric("tenantry_partner_center_call_duration_seconds_count", operation="get_customer")
        == timed + 1
    )
