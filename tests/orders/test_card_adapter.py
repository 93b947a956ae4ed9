"""The card adapter on its own: the Stripe-Signature check, what each event and PaymentIntent
status means for an order, amounts in minor units, and the Checkout Session it asks for."""

from __future__ import annotations

import json
import time
import uuid
from decimal import Decimal
from typing import Any

import pytest
from cryptography.fernet import Fernet

from tenantry.models import Order
from tenantry.orders.payments import card, card_notices
from tenantry.orders.payments.base import IgnoredNotice, InvalidNotice, StepOutcome
from tenantry.orders.payments.minor_units import to_minor_units
from tenantry.settings import Settings

SECRET = "whsec_test_secret"
ORDER_ID = uuid.UUID("0b5f4d1e-8a38-4c0e-9d0b-3f6f1c2a7e11")


def event(kind: str, **obj: Any) -> bytes:
    obj.setdefault("metadata", {"order_id": str(ORDER_ID)})
    return json.dumps({"id": "evt_1", "type": kind, "data": {"object": obj}}).encode()


def signed(body: bytes, *, at: float | None = None, secret: str = SECRET) -> dict[str, str]:
    stamp = int(time.time() if at is None else at)
    return {"Stripe-Signature": card_notices.signature_header(secret, body, stamp)}


def test_a_signature_made_with_the_endpoint_secret_is_accepted() -> None:
    body = event("payment_intent.succeeded", id="pi_1", status="succeeded")
    card_notices.verify(signed(body), body, SECRET, 300)
    # Several v1 signatures (a secret being rolled): one matching is enough.
    header = signed(body)["Stripe-Signature"]
    card_notices.verify({"stripe-signature": f"{header},v1=00ff"}, body, SECRET, 300)


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "no Stripe-Signature header"),
        ({"Stripe-Signature": "v1=abc"}, "no timestamp or no v1"),
        ({"Stripe-Signature": "t=123"}, "no timestamp or no v1"),
    ],
)
def test_a_call_without_a_usable_signature_is_refused(headers: dict[str, str], why: str) -> None:
    with pytest.raises(InvalidNotice, match=why):
        card_notices.verify(headers, b"{}", SECRET, 300)


def test_another_secret_or_a_changed_body_is_refused() -> None:
    body = event("payment_intent.succeeded", id="pi_1", status="succeeded")
    with pytest.raises(InvalidNotice, match="does not match"):
        card_notices.verify(signed(body, secret="whsec_other"), body, SECRET, 300)
    with pytest.raises(InvalidNotice, match="does not match"):
        card_notices.verify(signed(body), body.replace(b"succeeded", b"failed"), SECRET, 300)


def test_a_signature_older_than_the_tolerance_is_refused() -> None:
    body = event("payment_intent.succeeded", id="pi_1", status="succeeded")
    old = time.time() - 301
    with pytest.raises(InvalidNotice, match="older than 300 seconds"):
        card_notices.verify(signed(body, at=old), body, SECRET, 300)
    card_notices.verify(signed(body, at=old), body, SECRET, 600)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("succeeded", StepOutcome.PAID),
        ("requires_action", StepOutcome.PENDING),
        ("processing", StepOutcome.PENDING),
        ("requires_payment_method", StepOutcome.DECLINED),
        ("canceled", StepOutcome.DECLINED),
    ],
)
def test_each_payment_intent_status_is_an_outcome(status: str, outcome: StepOutcome) -> None:
    notice = card_notices.read(event("payment_intent.updated", id="pi_9", status=status))
    assert (notice.order_id, notice.outcome, notice.reference) == (ORDER_ID, outcome, "pi_9")
    assert notice.notice_id == "evt_1"


def test_a_decline_carries_the_card_services_reason() -> None:
    error = {"code": "card_declined", "decline_code": "insufficient_funds",
             "message": "Your card has insufficient funds."}  # fmt: skip
    notice = card_notices.read(
        event(
            "payment_intent.payment_failed",
            id="pi_1",
            status="requires_payment_method",
            last_payment_error=error,
        )
    )
    assert (notice.outcome, notice.code, notice.message) == (
        StepOutcome.DECLINED, "insufficient_funds", "Your card has insufficient funds.",
    )  # fmt: skip


def test_checkout_session_events_are_read_by_their_payment_status() -> None:
    paid = card_notices.read(
        event("checkout.session.completed", id="cs_1", payment_intent="pi_1", payment_status="paid")
    )
    assert (paid.outcome, paid.reference) == (StepOutcome.PAID, "pi_1")
    waiting = card_notices.read(
        event("checkout.session.completed", id="cs_1", payment_status="unpaid")
    )
    assert waiting.outcome is StepOutcome.PENDING
    expired = card_notices.read(event("checkout.session.expired", id="cs_1"))
    assert (expired.outcome, expired.code) == (StepOutcome.DECLINED, "checkout_expired")
    # The order id from client_reference_id when the metadata lacks it.
    by_reference = card_notices.read(
        event(
            "checkout.session.completed",
            metadata={},
            client_reference_id=str(ORDER_ID),
            payment_status="paid",
        )
    )
    assert by_reference.order_id == ORDER_ID


def test_events_about_something_else_are_ignored_and_garbage_refused() -> None:
    with pytest.raises(IgnoredNotice):
        card_notices.read(event("customer.created", id="cus_1"))
    with pytest.raises(IgnoredNotice):
        card_notices.read(event("payment_intent.succeeded", id="pi_1", status="succeeded",
                                metadata={}))  # fmt: skip
    with pytest.raises(InvalidNotice):
        card_notices.read(b"not json")


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        (Decimal("16.92"), "EUR", 1692),
        (Decimal("0.10"), "usd", 10),
        (Decimal("120"), "GBP", 12000),
        (Decimal("0"), "EUR", 0),
        (Decimal("500"), "JPY", 500),
        (Decimal("500.00"), "JPY", 500),
        (Decimal("1.250"), "KWD", 1250),
    ],
)
def test_amounts_are_sent_in_minor_units(amount: Decimal, currency: str, minor: int) -> None:
    assert to_minor_units(amount, currency) == minor


@pytest.mark.parametrize(("amount", "currency"), [(Decimal("1.5"), "JPY"),
                                                  (Decimal("1.005"), "EUR"),
                                                  (Decimal("-1"), "EUR")])  # fmt: skip
def test_an_amount_the_currency_cannot_carry_is_refused_not_rounded(
    amount: Decimal, currency: str
) -> None:
    with pytest.raises(ValueError, match=currency):
        to_minor_units(amount, currency)


def test_the_checkout_session_names_the_order_and_its_total() -> None:
    order = Order(id=ORDER_ID, currency="EUR", total=Decimal("16.92"))
    form = card.session_form(order, "https://portal.example/orders/x")
    assert form["line_items[0][price_data][unit_amount]"] == "1692"
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert form["metadata[order_id]"] == str(ORDER_ID)
    assert form["payment_intent_data[metadata][order_id]"] == str(ORDER_ID)
    assert form["success_url"] == form["cancel_url"] == "https://portal.example/orders/x"
    # The same order and return address: the same key, so a second start is the same session.
    assert card.idempotency_key(order, "https://a/") == card.idempotency_key(order, "https://a/")
    assert card.idempotency_key(order, "https://a/") != card.idempotency_key(order, "https://b/")


def test_development_offers_card_payments_against_the_embedded_sandbox_only() -> None:
    assert Settings(environment="development").enabled_payment_providers == ["manual", "card"]
    stripe = Settings(environment="development", card_api_url="https://api.stripe.com")
    assert stripe.enabled_payment_providers == ["manual"]
    assert Settings(environment="test").enabled_payment_providers == ["manual"]


def test_production_refuses_the_card_provider_with_the_demo_keys() -> None:
    production: dict[str, Any] = {"environment": "production", "secret_key": "x" * 40,
                                  "credentials_key": Fernet.generate_key().decode(),
                                  "payment_providers": "manual,card"}  # fmt: skip
    with pytest.raises(ValueError, match="TENANTRY_CARD_SECRET_KEY"):
        Settings(**production)
    Settings(**production, card_secret_key="sk_live_1", card_webhook_secret="whsec_1")


def test_the_embedded_sandbox_posts_card_events_to_this_app_with_its_secret() -> None:
    from tenantry.server import _sandbox_settings

    settings = Settings(environment="development", base_url="http://127.0.0.1:8000")
    sandbox = _sandbox_settings(settings)
    assert sandbox.card_webhook_url == "http://127.0.0.1:8000/api/v1/payments/card/webhook"
    assert sandbox.card_webhook_secret == settings.card_webhook_secret
    assert sandbox.card_secret_key == settings.card_secret_key
    # Paying through Stripe: the sandbox is told nothing of the card keys.
    stripe = Settings(card_api_url="https://api.stripe.com", card_secret_key="sk_live_1")
    assert _sandbox_settings(stripe).card_secret_key != "sk_live_1"


def test_the_checkout_page_is_stripes_own_or_the_stand_ins() -> None:
    assert card.checkout_origin("https://api.stripe.com") == "https://checkout.stripe.com"
    assert card.checkout_origin("http://127.0.0.1:8001") == "http://127.0.0.1:8001"
    assert card.checkout_origin("https://pay.example.com/stripe/") == "https://pay.example.com"
