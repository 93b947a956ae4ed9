"""Webhook registration and signed deliveries to a real HTTP receiver, with retries."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

import httpx
import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from joserfc.jwk import RSAKey

from tenantry.partnercenter import PartnerCenterClient, PartnerCenterConfig, TokenBucket
from tenantry.partnercenter.models.webhooks import WebhookRegistration
from tenantry_sandbox.background import background_services, tick
from tests.sandbox.conftest import BASE_URL, Sandbox, sample
from tests.sandbox.outside_world import (  # noqa: F401
    Delivery,
    Receiver,
    database_url,
    eventually,
    receiver_fixture,
)
from tests.sandbox.shapes import assert_same_shape

DOCUMENTED = "/webhooks/v1/registration"
ALSO_SERVED = "/v1/webhooks/registration"


def partner_center(sandbox: Sandbox) -> PartnerCenterClient:
    settings = sandbox.settings
    config = PartnerCenterConfig(
        api_url=BASE_URL,
        login_url=BASE_URL,
        tenant_id=str(settings.partner_tenant_id),
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        refresh_token=settings.bootstrap_refresh_token,
    )
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app))
    return PartnerCenterClient(config, http=http, limiter=TokenBucket(1e6, 1e6))


async def verify_signature(
    sandbox: Sandbox, delivery: Delivery, header: str = "authorization"
) -> None:
    """Check the signature as a receiver does: against the certificate, and against the JWKS."""
    scheme, _, signature = delivery.headers[header].partition(" ")
    assert scheme == "Signature"
    assert delivery.headers["x-ms-signature-algorithm"] == "rsa-sha256"
    certificate_url = delivery.headers["x-ms-certificate-url"]
    assert certificate_url.startswith(f"{BASE_URL}/webhooks/certificates/")
    der = (await sandbox.client.get(certificate_url)).content
    from_certificate = x509.load_der_x509_certificate(der).public_key()
    kid = certificate_url.rsplit("/", 1)[1].removesuffix(".cer")
    jwks = (await sandbox.client.get("/common/discovery/v2.0/keys")).json()
    from_jwks = RSAKey.import_key(next(k for k in jwks["keys"] if k["kid"] == kid)).public_key
    raw = base64.b64decode(signature)
    for key in (from_certificate, from_jwks):
        assert isinstance(key, rsa.RSAPublicKey)
        key.verify(raw, delivery.body, padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(InvalidSignature):
        from_jwks.verify(raw, delivery.body + b" ", padding.PKCS1v15(), hashes.SHA256())


async def test_registration_answers_as_documented(sandbox: Sandbox, receiver: Receiver) -> None:
    async with partner_center(sandbox) as client:
        assert set(sample("webhook-events-list.json")) <= set(await client.list_webhook_events())
        registered = await client.register_webhook(
            WebhookRegistration(
                webhook_url=receiver.url, webhook_events=["subscription-updated", "test-created"]
            )
        )
        assert registered.subscriber_id and registered.webhook_url == receiver.url

    request = sample("webhook-registration-request.json") | {"WebhookUrl": receiver.url}
    again = await sandbox.call("POST", DOCUMENTED, json=request)
    assert again.status_code == 409
    fetched = await sandbox.call("GET", DOCUMENTED)
    assert_same_shape(fetched.json(), sample("webhook-registration-get.json"))
    updated = await sandbox.call(
        "PUT", ALSO_SERVED, json=request | {"WebhookEvents": ["invoice-ready"]}
    )
    assert_same_shape(updated.json(), sample("webhook-registration-response.json"))
    assert (await sandbox.call("GET", ALSO_SERVED)).json()["WebhookEvents"] == ["invoice-ready"]
    unknown = await sandbox.call(
        "PUT", DOCUMENTED, json=request | {"WebhookEvents": ["customer-created"]}
    )
    assert unknown.status_code == 400 and "customer-created" in unknown.json()["description"]
    assert (await sandbox.call("DELETE", DOCUMENTED)).status_code == 204
    assert (await sandbox.call("GET", DOCUMENTED)).status_code == 404


async def test_validation_event_is_signed_delivered_and_reported(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    async with partner_center(sandbox) as client:
        await client.register_webhook(
            WebhookRegistration(webhook_url=receiver.url, webhook_events=[])
        )
        validation = await client.create_webhook_validation_event()
        pending = await client.get_webhook_validation_status(validation.correlation_id)

        flushed = await sandbox.control("POST", "/webhooks/flush")
        status = await client.get_webhook_validation_status(validation.correlation_id)

    assert pending.status == "pending" and flushed["delivered"] == 1
    assert status.status == "completed" and status.callback_url == receiver.url
    assert [(r.response_code, r.system_error) for r in status.results] == [("OK", False)]
    raw_status = await sandbox.call(
        "GET", f"{DOCUMENTED}/validationEvents/{validation.correlation_id}"
    )
    assert_same_shape(raw_status.json(), sample("webhook-validation-event-status.json"))
    [delivery] = receiver.received
    assert delivery.path == "/partner-center/events"
    assert delivery.headers["content-type"] == "application/json"
    event = delivery.json()
    assert_same_shape(event, sample("webhook-event-test-created.json"))
    assert (
        event["ResourceUri"]
        == f"{BASE_URL}{DOCUMENTED}/validationEvents/{validation.correlation_id}"
    )
    await verify_signature(sandbox, delivery)
    second = await sandbox.call("POST", f"{DOCUMENTED}/validationEvents")
    third = await sandbox.call("POST", f"{DOCUMENTED}/validationEvents")
    assert second.status_code == 200 and third.status_code == 429
    assert int(third.headers["Retry-After"]) >= 1


async def test_failed_delivery_is_retried_with_backoff(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    registration = {
        "WebhookUrl": receiver.url,
        "WebhookEvents": ["subscription-updated"],
        "SignatureTokenToMsSignatureHeader": True,
    }
    await sandbox.call("POST", DOCUMENTED, json=registration)
    receiver.statuses = [500, 503]
    event = {
        "eventName": "subscription-updated",
        "parameters": {"customer_id": "c-1", "subscription_id": "s-1"},
    }
    await sandbox.control("POST", "/webhooks/events", json=event)

    first = await tick(sandbox.state)
    not_yet = await tick(sandbox.state)
    [delivery] = (await sandbox.control("GET", "/webhooks/deliveries"))["items"]
    retry_at = datetime.fromisoformat(delivery["nextAttemptAt"])
    tried_at = datetime.fromisoformat(delivery["history"][0]["attemptedAt"])
    await sandbox.control("POST", "/clock", json={"advanceSeconds": 5})
    second = await tick(sandbox.state)
    third = await sandbox.control("POST", "/webhooks/flush")

    assert (first.failed, not_yet.attempted, second.failed, third["delivered"]) == (1, 0, 1, 1)
    assert retry_at - tried_at == timedelta(seconds=sandbox.settings.webhook_retry_base_seconds)
    [delivered] = (await sandbox.control("GET", "/webhooks/deliveries"))["items"]
    assert delivered["status"] == "delivered"
    assert [a["statusCode"] for a in delivered["history"]] == [500, 503, 200]
    assert len(receiver.received) == 3 and len({d.body for d in receiver.received}) == 1
    body = receiver.received[-1].json()
    assert_same_shape(body, sample("webhook-event-subscription-updated.json"))
    assert body["ResourceUri"] == f"{BASE_URL}/webhooks/v1/customers/c-1/subscriptions/s-1"
    assert "authorization" not in receiver.received[-1].headers
    await verify_signature(sandbox, receiver.received[-1], header="x-ms-signature")


async def test_a_delivery_that_keeps_failing_is_parked(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    sandbox.settings.webhook_max_attempts = 2
    await sandbox.call(
        "POST", DOCUMENTED, json={"WebhookUrl": receiver.url, "WebhookEvents": ["invoice-ready"]}
    )
    receiver.statuses = [500] * 5
    await sandbox.control(
        "POST",
        "/webhooks/events",
        json={"eventName": "invoice-ready", "parameters": {"invoice_id": "G1"}},
    )

    reports = [await sandbox.control("POST", "/webhooks/flush") for _ in range(3)]

    assert [(r["attempted"], r["parked"], r["pending"]) for r in reports] == [
        (1, 0, 1),
        (1, 1, 0),
        (0, 0, 0),
    ]
    [parked] = (await sandbox.control("GET", "/webhooks/deliveries"))["items"]
    assert parked["status"] == "parked" and parked["lastStatusCode"] == 500


async def test_the_background_task_delivers_on_its_own(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    sandbox.settings.background_interval_seconds = 0.05
    await sandbox.call(
        "POST", DOCUMENTED, json={"WebhookUrl": receiver.url, "WebhookEvents": ["invoice-ready"]}
    )

    async with background_services(sandbox.state):
        await sandbox.control(
            "POST",
            "/webhooks/events",
            json={"eventName": "invoice-ready", "parameters": {"invoice_id": "G7"}},
        )

        async def delivered() -> list[Delivery]:
            return receiver.received

        [delivery] = await eventually(delivered)

    assert delivery.json()["ResourceUri"] == f"{BASE_URL}/v1/invoices/G7"
    await verify_signature(sandbox, delivery)
