"""Every operation against the contract: verb, path, query, token kind, body, parsed answer."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest

from tenantry.partnercenter import PartnerCenterClient
from tenantry.partnercenter.models import (
    BillingProfile,
    Customer,
    WebhookRegistration,
)

from . import operations_commerce, operations_directory
from .fakes import ClientFactory, FakeService, load_sample, reply
from .operation_table import Op, model

S = load_sample
OPERATIONS: dict[str, Op] = {**operations_directory.OPERATIONS, **operations_commerce.OPERATIONS}


def test_every_public_operation_is_in_the_table() -> None:
    public = {
        name
        for name, _ in inspect.getmembers(PartnerCenterClient, inspect.isfunction)
        if not name.startswith("_") and name != "aclose"
    }
    assert public == OPERATIONS.keys()
    both = operations_directory.OPERATIONS.keys() & operations_commerce.OPERATIONS.keys()
    assert not both


async def run(result: Any) -> Any:
    """Await a coroutine, or drain an async iterator into a list."""
    if hasattr(result, "__aiter__"):
        return [item async for item in result]
    return await result


@pytest.mark.parametrize(("name", "op"), [pytest.param(n, o, id=n) for n, o in OPERATIONS.items()])
async def test_operation_follows_the_contract(
    name: str, op: Op, service: FakeService, make_client: ClientFactory
) -> None:
    service.script(reply(op.status, op.answer))

    result = await run(op.call(make_client()))

    [request] = service.requests
    assert request.method == op.method
    assert request.url.path == op.path
    assert sorted(request.url.params.multi_items()) == sorted(op.query)
    expected_grant = "refresh_token" if op.app_user else "client_credentials"
    assert service.form(0)["grant_type"] == expected_grant
    if op.method in {"POST", "PUT", "PATCH"} and request.content:
        assert request.headers["Content-Type"] == "application/json"
    if op.answer is not None:
        assert result, f"{name} returned nothing for a non-empty answer"


async def test_billing_profile_update_sends_if_match(
    service: FakeService, make_client: ClientFactory
) -> None:
    profile = BillingProfile.model_validate(S("get-customer.json")["billingProfile"])
    service.script(reply(200, S("update-billing-profile-response.json")))

    await make_client().update_billing_profile("c1", profile)

    [request] = service.requests
    assert request.headers["If-Match"] == '"-4242348048554929329"'
    body = json.loads(request.content)
    assert body["defaultAddress"]["addressLine1"] == "1 ms way"
    assert body["attributes"]["etag"] == "-4242348048554929329"


async def test_billing_profile_update_needs_an_etag(make_client: ClientFactory) -> None:
    with pytest.raises(ValueError, match="ETag"):
        await make_client().update_billing_profile("c1", BillingProfile(email="a@b.test"))


async def test_create_customer_body_is_camel_case(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(reply(201, S("create-customer-indirect-reseller-response.json")))
    customer = model(Customer, "create-customer-request.json")

    created = await make_client().create_customer_for_indirect_reseller(customer, "484e548c")

    body = json.loads(service.requests[0].content)
    assert body["associatedPartnerId"] == "484e548c"
    assert body["enableGDAPByDefault"] is False
    assert body["companyProfile"] == {"domain": "xyz.ccsctp.net"}
    assert body["billingProfile"]["defaultAddress"]["postalCode"] == "98052"
    assert created.relationship_to_partner == "reseller"
    assert created.user_credentials is not None


async def test_documented_request_bodies_are_sent(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(
        reply(200, S("remove-reseller-relationship-response.json")),
        reply(200, S("webhook-registration-response.json")),
        reply(201, S("gdap-lock-for-approval-response.json")),
    )
    client = make_client()

    await client.remove_reseller_relationship("c1")
    registration = await client.register_webhook(
        WebhookRegistration(
            webhook_url="{{YourCallbackUrl}}",
            webhook_events=["subscription-updated", "test-created"],
        )
    )
    await client.request_gdap_relationship_action("r1", "lockForApproval")

    sent = [json.loads(request.content) for request in service.requests]
    assert sent == [
        S("remove-reseller-relationship-request.json"),
        S("webhook-registration-request.json"),
        S("gdap-lock-for-approval-request.json"),
    ]
    assert registration.subscriber_id == "e82cac64-dc67-4cd3-849b-78b6127dd57d"


async def test_path_segments_are_encoded(service: FakeService, make_client: ClientFactory) -> None:
    service.script(reply(200, S("get-customer.json")))

    await make_client().get_customer("../partners?x=1")

    assert service.requests[0].url.raw_path == b"/v1/customers/..%2Fpartners%3Fx%3D1"


async def test_taken_domain_is_not_available(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(reply(200))

    assert await make_client().is_domain_available("contoso.onmicrosoft.com") is False
