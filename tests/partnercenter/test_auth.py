"""Tokens: which kind each operation gets, caching, renewal, refresh once on 401."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
import pytest

from tenantry.partnercenter import (
    AuthenticationFailed,
    PartnerCenterConfig,
    PartnerCenterConfigurationError,
    Unauthorized,
)
from tenantry.partnercenter.models import DelegatedAdminRelationship

from .fakes import ClientFactory, FakeClock, FakeService, load_sample, reply

CUSTOMER = load_sample("get-customer.json")
PC_SCOPE = "https://api.partnercenter.microsoft.com/.default"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


async def test_app_only_token_for_operations_that_accept_it(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(reply(200, CUSTOMER))

    await make_client().get_customer("c1")

    [token_request] = service.token_requests
    assert token_request.url == httpx.URL("https://login.test/partner-tenant/oauth2/v2.0/token")
    assert service.form(0) == {
        "grant_type": "client_credentials",
        "client_id": "app-id",
        "client_secret": "app-secret",
        "scope": PC_SCOPE,
    }


async def test_app_user_token_for_operations_that_need_it(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(reply(200, {"isAgreementSigned": True}))

    status = await make_client().get_mpa_status(mpn_id="4847383")

    assert status.is_agreement_signed is True
    assert service.form(0) == {
        "grant_type": "refresh_token",
        "client_id": "app-id",
        "client_secret": "app-secret",
        "refresh_token": "refresh-1",
        "scope": f"{PC_SCOPE} offline_access",
    }


async def test_app_user_token_everywhere_without_a_secret(
    service: FakeService, make_client: ClientFactory, config: PartnerCenterConfig
) -> None:
    service.script(reply(200, CUSTOMER))

    await make_client(replace(config, client_secret="")).get_customer("c1")

    form = service.form(0)
    assert form["grant_type"] == "refresh_token"
    assert "client_secret" not in form


async def test_app_user_preferred_when_configured(
    service: FakeService, make_client: ClientFactory, config: PartnerCenterConfig
) -> None:
    service.script(reply(200, CUSTOMER))

    await make_client(replace(config, prefer_app_only=False)).get_customer("c1")

    assert service.form(0)["grant_type"] == "refresh_token"


async def test_operation_needing_a_user_fails_fast_without_refresh_token(
    service: FakeService, make_client: ClientFactory, config: PartnerCenterConfig
) -> None:
    client = make_client(replace(config, refresh_token=""))

    with pytest.raises(PartnerCenterConfigurationError, match="REFRESH_TOKEN"):
        await client.get_relationship_request_link()

    assert service.requests == []
    assert service.token_requests == []


async def test_missing_tenant_is_a_configuration_error(
    service: FakeService, make_client: ClientFactory, config: PartnerCenterConfig
) -> None:
    with pytest.raises(PartnerCenterConfigurationError, match="TENANT_ID"):
        await make_client(replace(config, tenant_id="")).get_customer("c1")


async def test_graph_calls_use_a_graph_token(
    service: FakeService, make_client: ClientFactory
) -> None:
    created = load_sample("gdap-create-relationship-response.json")
    service.script(reply(201, created))
    request = DelegatedAdminRelationship.model_validate(
        load_sample("gdap-create-relationship-request.json")
    )

    relationship = await make_client().create_gdap_relationship(request)

    assert relationship.status == "created"
    assert service.form(0)["scope"] == f"{GRAPH_SCOPE} offline_access"
    [call] = service.requests
    assert call.url == httpx.URL(
        "https://graph.test/v1.0/tenantRelationships/delegatedAdminRelationships"
    )


async def test_token_is_cached_until_shortly_before_expiry(
    service: FakeService, make_client: ClientFactory, clock: FakeClock
) -> None:
    service.token_lifetime = 3600
    service.script(*[reply(200, CUSTOMER) for _ in range(4)])
    client = make_client()

    await client.get_customer("c1")
    await client.get_customer("c1")
    clock.now += 3600 - 300 - 1  # still outside the renewal margin
    await client.get_customer("c1")
    assert len(service.token_requests) == 1

    clock.now += 2  # inside the last five minutes: renew
    await client.get_customer("c1")
    assert len(service.token_requests) == 2
    assert service.requests[-1].headers["Authorization"] == "Bearer token-2"


async def test_short_lived_tokens_are_still_reused(
    service: FakeService, make_client: ClientFactory, clock: FakeClock
) -> None:
    service.token_lifetime = 60  # shorter than the renewal margin
    service.script(reply(200, CUSTOMER), reply(200, CUSTOMER))
    client = make_client()

    await client.get_customer("c1")
    clock.now += 29
    await client.get_customer("c1")

    assert len(service.token_requests) == 1


async def test_concurrent_calls_share_one_token_request(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(*[reply(200, CUSTOMER) for _ in range(5)])
    client = make_client()

    await asyncio.gather(*(client.get_customer("c1") for _ in range(5)))

    assert len(service.token_requests) == 1


async def test_401_renews_the_token_once(
    service: FakeService, make_client: ClientFactory, clock: FakeClock
) -> None:
    service.script(reply(401, {"code": 400, "description": "Access denied"}), reply(200, CUSTOMER))

    customer = await make_client().get_customer("c1")

    assert customer.id == CUSTOMER["id"]
    first, second = service.requests
    assert first.headers["Authorization"] == "Bearer token-1"
    assert second.headers["Authorization"] == "Bearer token-2"
    assert first.headers["MS-RequestId"] == second.headers["MS-RequestId"]
    assert clock.sleeps == []


async def test_second_401_is_raised(service: FakeService, make_client: ClientFactory) -> None:
    denied = {"code": 400, "description": "Access denied"}
    service.script(reply(401, denied), reply(401, denied))

    with pytest.raises(Unauthorized) as raised:
        await make_client().get_customer("c1")

    assert raised.value.code == "400"
    assert len(service.requests) == 2
    assert len(service.token_requests) == 2


async def test_refused_grant_is_authentication_failed(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.token_reply = reply(
        400,
        {
            "error": "invalid_grant",
            "error_description": "AADSTS700082: The refresh token has expired due to inactivity.",
            "error_codes": [700082],
        },
    )

    with pytest.raises(AuthenticationFailed) as raised:
        await make_client().get_relationship_request_link()

    assert raised.value.code == "invalid_grant"
    assert "AADSTS700082" in raised.value.description
    assert len(service.token_requests) == 1, "a refused grant is not retried"
    assert service.requests == []


async def test_rotated_refresh_token_is_kept_and_reported(
    service: FakeService, make_client: ClientFactory
) -> None:
    rotated: list[str] = []

    async def remember(token: str) -> None:
        rotated.append(token)

    service.token_reply = reply(
        200,
        {"token_type": "Bearer", "expires_in": 3599, "access_token": "t", "refresh_token": "r2"},
    )
    service.script(reply(200, {"isAgreementSigned": True}))
    client = make_client(on_refresh_token=remember)

    await client.get_mpa_status(tenant_id="00000000-0000-0000-0000-000000000001")

    assert client.refresh_token == "r2"
    assert rotated == ["r2"]


async def test_token_endpoint_outage_is_retried(
    service: FakeService, make_client: ClientFactory
) -> None:
    answers = iter(
        [
            httpx.Response(503),
            httpx.Response(200, json={"access_token": "late", "expires_in": 3599}),
        ]
    )
    service.token_reply = lambda request: next(answers)
    service.script(reply(200, CUSTOMER))

    await make_client().get_customer("c1")

    assert service.requests[0].headers["Authorization"] == "Bearer late"
    assert len(service.token_requests) == 2
