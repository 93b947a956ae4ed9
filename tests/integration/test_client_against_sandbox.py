"""The Partner Center client against the sandbox over real HTTP: paging through failures, the
embedded default's configuration, and the two kinds of token."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from tenantry.partnercenter import (
    AuthenticationFailed,
    PartnerCenterClient,
    PartnerCenterConfig,
    PartnerCenterConfigurationError,
)
from tenantry.settings import Settings
from tenantry_sandbox import SandboxSettings
from tenantry_sandbox.db import Database
from tenantry_sandbox.store.customers import Customer
from tenantry_sandbox.store.relationships import visible_to

from .conftest import Sandbox, jwt_claims

CUSTOMERS = 5_000
FAILING_SHARE = 0.30
# Fault draws are deterministic for a seed and a sequence of requests. With this one, 22 of the
# listing's 74 calls fail (30 %): 7 throttled, 8 server errors, 7 dropped connections.
FAULT_SEED = 110
RETRY_REASONS = ("throttled", "server_error", "transport_error")


async def customers_of_the_distributor(sandbox: Sandbox) -> set[str]:
    """Straight from the sandbox's database: the customers the distributor may list."""
    database = Database(sandbox.settings.database_url)
    try:
        async with database.sessionmaker() as session:
            query = select(Customer.id).where(visible_to(sandbox.partner_tenant_id, Customer.id))
            return {str(customer_id) for customer_id in await session.scalars(query)}
    finally:
        await database.dispose()


async def seed_at_least(sandbox: Sandbox, customers: int) -> set[str]:
    """Seed until the distributor has ``customers`` customers or more.

    The seed gives about 15 % of its customers no relationship (tenants to invite), so it is
    topped up until enough of them are the distributor's (asking for a little more than the
    shortfall, so once is usually enough).
    """
    await sandbox.control("POST", "/seed", json={"customers": customers, "seed": 11})
    expected = await customers_of_the_distributor(sandbox)
    while len(expected) < customers:
        shortfall = int((customers - len(expected)) / 0.8) + 10
        await sandbox.control("POST", "/seed", json={"customers": shortfall, "seed": 11})
        expected = await customers_of_the_distributor(sandbox)
    return expected


def faults(share: float, retry_after: int) -> list[dict[str, object]]:
    """Throttling, server errors and dropped connections, each on ``share / 3`` of all calls.

    A request meets the rules in order and the first that fires wins, so each later rule's
    rate is its share of the calls the earlier rules let through.
    """
    each = share / 3
    return [
        {"kind": "throttle", "rate": each, "retryAfter": retry_after},
        {"kind": "error", "rate": each / (1 - each), "status": 500},
        {"kind": "disconnect", "rate": each / (1 - 2 * each)},
    ]


def retries(operations: tuple[str, ...], reason: str) -> float:
    return sum(
        REGISTRY.get_sample_value(
            "tenantry_partner_center_retries_total", {"operation": op, "reason": reason}
        )
        or 0.0
        for op in operations
    )


async def test_paging_5000_customers_through_30_percent_failures_returns_each_once(
    sandbox: Sandbox,
) -> None:
    expected = await seed_at_least(sandbox, CUSTOMERS)
    await sandbox.control(
        "PUT", "/faults", json={"seed": FAULT_SEED, "rules": faults(FAILING_SHARE, retry_after=1)}
    )
    operations = ("list_customers", "acquire_token")
    before = {reason: retries(operations, reason) for reason in RETRY_REASONS}
    client, recorder = sandbox.client()

    started = time.monotonic()
    async with client:
        listed = [customer.id async for customer in client.iter_customers()]
    elapsed = time.monotonic() - started

    counts = Counter(listed)
    assert len(expected) >= CUSTOMERS
    assert not [customer_id for customer_id, n in counts.items() if n > 1], "listed twice"
    assert set(counts) == expected
    assert len(listed) == len(expected)

    throttled, server_errors, dropped = (await sandbox.control("GET", "/faults"))["fired"]
    attempts = len(recorder.requests)
    assert throttled and server_errors and dropped, "every kind of failure happened"
    assert 0.15 < (throttled + server_errors + dropped) / attempts < 0.45
    # Every injected failure was sat out or retried by the client, and nothing else failed.
    assert retries(operations, "throttled") - before["throttled"] == throttled
    assert retries(operations, "server_error") - before["server_error"] == server_errors
    assert retries(operations, "transport_error") - before["transport_error"] >= dropped
    # A 429 is waited out for its Retry-After (one second here), not a short backoff.
    assert elapsed >= throttled * 1.0


async def test_the_product_defaults_work_against_the_sandbox_defaults(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``make run``: the app's TENANTRY_PARTNER_CENTER_* defaults are the embedded sandbox, where
    ``tenantry serve`` runs it and with its own identity, so nothing needs configuring."""
    for name in list(Settings.model_fields):
        if name.startswith("partner_center_") or name in ("host", "sandbox_port"):
            monkeypatch.delenv(f"TENANTRY_{name.upper()}", raising=False)
    assert Settings().partner_center_api_url == SandboxSettings().base_url
    # This test's sandbox listens on a free port rather than the default one.
    monkeypatch.setenv("TENANTRY_SANDBOX_PORT", str(sandbox.settings.port))
    config = PartnerCenterConfig.from_settings(Settings())
    await sandbox.control("POST", "/seed", json={"customers": 20, "seed": 3})

    async with PartnerCenterClient(config) as client:
        customers = [customer async for customer in client.iter_customers()]
        own = await client.get_own_mpn_profile()

    assert customers, "an app-only call listed the seeded customers"
    assert own.mpn_id == sandbox.settings.partner_mpn_id, "an app+user call answered too"
    assert config.api_url == config.login_url == config.admin_center_url == sandbox.url
    assert config.graph_url == f"{sandbox.url}/graph"


async def test_app_only_and_app_user_tokens(sandbox: Sandbox) -> None:
    app_only, app_only_wire = sandbox.client(sandbox.config(refresh_token=""))
    async with app_only:
        await app_only.list_customers_page()
        with pytest.raises(PartnerCenterConfigurationError, match="REFRESH_TOKEN"):
            await app_only.get_relationship_request_link()
    assert app_only_wire.grants() == ["client_credentials"]
    assert app_only_wire.token_kinds("/v1/") == {"app"}
    assert not [r for r in app_only_wire.requests if "relationshiprequests" in r.url.path]

    issued = await sandbox.control("POST", "/refresh-tokens", json={})
    rotated: list[str] = []

    async def keep(token: str) -> None:
        rotated.append(token)

    user_config = sandbox.config(refresh_token=issued["refreshToken"], prefer_app_only=False)
    app_user, app_user_wire = sandbox.client(user_config, on_refresh_token=keep)
    async with app_user:
        await app_user.list_customers_page()
        link = await app_user.get_relationship_request_link()
    assert app_user_wire.grants() == ["refresh_token"]
    assert app_user_wire.token_kinds("/v1/") == {"user"}
    user_token = app_user_wire.requests[-1].headers["Authorization"].removeprefix("Bearer ")
    assert jwt_claims(user_token)["upn"] == issued["userPrincipalName"]
    assert link.url.startswith(f"{sandbox.url}/Adminportal/Home?")
    # Entra (and the sandbox) hand out a new refresh token with each grant; the client keeps it.
    assert rotated == [app_user.refresh_token]
    assert app_user.refresh_token != issued["refreshToken"]

    renewed, _ = sandbox.client(sandbox.config(refresh_token=app_user.refresh_token))
    async with renewed:
        assert (await renewed.get_own_mpn_profile()).mpn_id == sandbox.settings.partner_mpn_id


async def test_a_reseller_signs_in_with_its_own_refresh_token(sandbox: Sandbox) -> None:
    reseller = await sandbox.reseller("Fincher Systems", mpnId="5123456")
    issued = await sandbox.control(
        "POST", "/refresh-tokens", json={"tenantId": reseller["tenantId"]}
    )
    config = sandbox.config(tenant_id=reseller["tenantId"], refresh_token=issued["refreshToken"])
    client, wire = sandbox.client(config)

    async with client:
        profile = await client.get_own_mpn_profile()

    assert profile.mpn_id == "5123456"
    assert wire.requests[0].url.path == f"/{reseller['tenantId']}/oauth2/v2.0/token"


async def test_a_refresh_token_the_sandbox_never_issued_is_refused(sandbox: Sandbox) -> None:
    client, _ = sandbox.client(sandbox.config(refresh_token="not-a-refresh-token"))

    async with client:
        with pytest.raises(AuthenticationFailed) as refused:
            await client.get_own_mpn_profile()

    assert refused.value.code == "invalid_grant"
    assert "AADSTS9002313" in (refused.value.description or "")
