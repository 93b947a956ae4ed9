"""Fixtures of the Partner Center client tests (fakes live in fakes.py)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tenantry.partnercenter import PartnerCenterClient, PartnerCenterConfig, TokenBucket

from .fakes import ClientFactory, FakeClock, FakeService


@pytest.fixture
def service() -> FakeService:
    return FakeService()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def config() -> PartnerCenterConfig:
    return PartnerCenterConfig(
        api_url="https://pc.test",
        login_url="https://login.test",
        graph_url="https://graph.test",
        tenant_id="partner-tenant",
        client_id="app-id",
        client_secret="app-secret",
        refresh_token="refresh-1",
        backoff_base=0.01,
        backoff_max=0.1,
    )


@pytest.fixture
async def make_client(
    service: FakeService, clock: FakeClock, config: PartnerCenterConfig
) -> AsyncIterator[ClientFactory]:
    """Build clients over the fake service; time is the fake clock, the limiter never waits."""
    http = httpx.AsyncClient(transport=httpx.MockTransport(service.handler))

    def build(cfg: PartnerCenterConfig | None = None, **overrides: Any) -> PartnerCenterClient:
        options: dict[str, Any] = {
            "http": http,
            "sleep": clock.sleep,
            "clock": clock,
            "rng": random.Random(7),
            "limiter": TokenBucket(1e9, 1e9, clock=clock, sleep=clock.sleep),
        }
        options.update(overrides)
        return PartnerCenterClient(cfg or config, **options)

    yield build
    await http.aclose()


@pytest.fixture
def client(make_client: ClientFactory) -> PartnerCenterClient:
    return make_client()
