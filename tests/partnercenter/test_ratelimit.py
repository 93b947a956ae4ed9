"""The token bucket keeps the client under the configured requests per minute."""

from __future__ import annotations

import pytest

from tenantry.partnercenter import TokenBucket
from tenantry.partnercenter.ratelimit import shared_bucket

from .fakes import ClientFactory, FakeClock, FakeService, load_sample, reply


async def sent_times(bucket: TokenBucket, clock: FakeClock, count: int) -> list[float]:
    times = []
    for _ in range(count):
        await bucket.acquire()
        times.append(clock.now)
    return times


@pytest.mark.parametrize("rpm", [6, 60, 500])
async def test_no_minute_holds_more_than_the_rate(rpm: int, clock: FakeClock) -> None:
    bucket = TokenBucket.per_minute(rpm, clock=clock, sleep=clock.sleep)

    times = await sent_times(bucket, clock, 3 * rpm)

    for index, start in enumerate(times):
        in_window = [t for t in times[index:] if t < start + 60]
        assert len(in_window) <= rpm, f"{len(in_window)} requests within a minute from {start}"
    # ...and it does not dawdle: after the burst, requests go exactly at the refill rate, which
    # is the configured rate less the burst (burst + one minute of refill = rpm).
    assert bucket.rate * 60 == pytest.approx(rpm - bucket.capacity)
    assert times[-1] - times[0] == pytest.approx((3 * rpm - bucket.capacity) / bucket.rate)


async def test_burst_goes_at_once_then_paced(clock: FakeClock) -> None:
    bucket = TokenBucket(rate=2.0, capacity=3, clock=clock, sleep=clock.sleep)

    times = await sent_times(bucket, clock, 5)

    assert times[:3] == [1000.0, 1000.0, 1000.0]
    assert times[3:] == [1000.5, 1001.0]


async def test_idle_time_refills_only_up_to_capacity(clock: FakeClock) -> None:
    bucket = TokenBucket(rate=1.0, capacity=2, clock=clock, sleep=clock.sleep)
    await sent_times(bucket, clock, 2)

    clock.now += 3600
    times = await sent_times(bucket, clock, 3)

    assert times[0] == times[1]
    assert times[2] == times[1] + 1.0


def test_reservations_queue_in_arrival_order(clock: FakeClock) -> None:
    bucket = TokenBucket(rate=4.0, capacity=1, clock=clock, sleep=clock.sleep)

    delays = [bucket.reserve() for _ in range(4)]

    assert delays == [0.0, 0.25, 0.5, 0.75]


def test_one_bucket_per_partner_identity() -> None:
    first = shared_bucket("https://pc.test", "tenant-a", "app", 500)
    assert shared_bucket("https://pc.test", "tenant-a", "app", 500) is first
    assert shared_bucket("https://pc.test", "tenant-b", "app", 500) is not first


def test_nonsense_rates_are_refused() -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(rate=0, capacity=1)


async def test_client_paces_partner_center_calls_only(
    service: FakeService, make_client: ClientFactory, clock: FakeClock
) -> None:
    # 6 per minute: a burst of 1, then one every 12 seconds.
    limiter = TokenBucket.per_minute(6, clock=clock, sleep=clock.sleep)
    customer = load_sample("get-customer.json")
    service.script(reply(200, customer), reply(200, customer), reply(200, customer))
    client = make_client(limiter=limiter)

    await client.get_customer("c1")
    await client.get_customer("c1")
    await client.get_customer("c1")

    assert clock.sleeps == [pytest.approx(12.0), pytest.approx(12.0)]
    assert len(service.token_requests) == 1, "token requests are not paced"
