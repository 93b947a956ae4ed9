"""The card payment stand-in: what Stripe's Checkout does with a session and a test card.

The test card numbers are Stripe's documented ones and decide the outcome:

- ``4242 4242 4242 4242``: paid;
- ``4000 0000 0000 0002`` (``generic_decline``), ``4000 0000 0000 9995``
  (``insufficient_funds``), ``4000 0000 0000 0069`` (``expired_card``), ``4000 0000 0000 0127``
  (``incorrect_cvc``): declined with that reason; the page stays open for another card;
- ``4000 0025 0000 3155`` or ``4000 0000 0000 3220``: 3-D Secure; the payment waits
  (``requires_action``) until the person completes or fails the check on the sandbox's page;
- any other number: declined as ``incorrect_number``.

Each change writes the events Stripe sends (``payment_intent.requires_action``,
``payment_intent.succeeded`` then ``checkout.session.completed``, ``payment_intent.payment_failed``)
to the outbox, signed when posted with the ``Stripe-Signature`` scheme.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox.settings import SandboxSettings
from tenantry_sandbox.store.cardpay import CardCheckoutSession, CardEvent

SUCCESS = "4242424242424242"
THREE_D_SECURE = frozenset({"4000002500003155", "4000000000003220"})
DECLINES: dict[str, tuple[str, str]] = {
    "4000000000000002": ("generic_decline", "Your card was declined."),
    "4000000000009995": ("insufficient_funds", "Your card has insufficient funds."),
    "4000000000000069": ("expired_card", "Your card has expired."),
    "4000000000000127": ("incorrect_cvc", "Your card's security code is incorrect."),
}
# What the payment page lists for the person testing.
TEST_CARDS: list[tuple[str, str]] = [
    ("4242 4242 4242 4242", "paid"),
    ("4000 0025 0000 3155", "3-D Secure: you confirm or fail it on the next page"),
    ("4000 0000 0000 0002", "declined (generic_decline)"),
    ("4000 0000 0000 9995", "declined (insufficient_funds)"),
    ("4000 0000 0000 0069", "declined (expired_card)"),
]
ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)
THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])
AUTHENTICATION_FAILED = (
    "payment_intent_authentication_failure",
    "We are unable to authenticate your payment method. Please choose a different payment "
    "method and try again.",
)


def minor_exponent(currency: str) -> int:
    code = currency.lower()
    return 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "t.body" keyed with the endpoint's secret>``."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def session_object(row: CardCheckoutSession, settings: SandboxSettings) -> dict[str, Any]:
    """The Checkout Session as the API answers it."""
    return {
        "id": row.id,
        "object": "checkout.session",
        "mode": "payment",
        "amount_total": row.amount,
        "currency": row.currency,
        "client_reference_id": row.client_reference_id,
        "metadata": row.metadata_map,
        "payment_intent": row.payment_intent_id,
        "payment_method_types": ["card"],
        "payment_status": row.payment_status,
        "status": row.status,
        "success_url": row.success_url,
        "cancel_url": row.cancel_url,
        "url": f"{settings.base_url.rstrip('/')}/c/pay/{row.id}" if row.status == "open" else None,
        "created": int(row.created_at.timestamp()),
        "livemode": False,
    }


def intent_object(row: CardCheckoutSession) -> dict[str, Any]:
    """The session's PaymentIntent as events carry it."""
    return {
        "id": row.payment_intent_id,
        "object": "payment_intent",
        "amount": row.amount,
        "amount_received": row.amount if row.intent_status == "succeeded" else 0,
        "currency": row.currency,
        "metadata": row.intent_metadata,
        "status": row.intent_status,
        "last_payment_error": row.last_error,
        "next_action": (
            {"type": "redirect_to_url", "redirect_to_url": {"url": None}}
            if row.intent_status == "requires_action"
            else None
        ),
        "livemode": False,
    }


def _event(
    session: AsyncSession, settings: SandboxSettings, row: CardCheckoutSession, kind: str,
    obj: dict[str, Any],
) -> None:  # fmt: skip
    event_id = new_id("evt")
    body = {
        "id": event_id,
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "livemode": False,
        "api_version": "2024-06-20",
        "data": {"object": obj},
    }
    session.add(
        CardEvent(
            id=event_id,
            type=kind,
            session_id=row.id,
            body=json.dumps(body),
            url=settings.card_webhook_url,
            status="pending" if settings.card_webhook_url else "parked",
            last_error=None if settings.card_webhook_url else "no webhook endpoint is configured",
        )
    )


def _succeeded(session: AsyncSession, settings: SandboxSettings, row: CardCheckoutSession) -> None:
    row.intent_status, row.status, row.payment_status = "succeeded", "complete", "paid"
    row.last_error_json, row.pending_last4 = None, None
    _event(session, settings, row, "payment_intent.succeeded", intent_object(row))
    _event(session, settings, row, "checkout.session.completed", session_object(row, settings))


def _declined(
    session: AsyncSession, settings: SandboxSettings, row: CardCheckoutSession, code: str,
    message: str,
) -> None:  # fmt: skip
    row.intent_status, row.pending_last4 = "requires_payment_method", None
    error = {"type": "card_error", "code": "card_declined", "decline_code": code,
             "message": message}  # fmt: skip
    if code == AUTHENTICATION_FAILED[0]:
        error = {"type": "invalid_request_error", "code": code, "message": message}
    row.last_error_json = json.dumps(error)
    _event(session, settings, row, "payment_intent.payment_failed", intent_object(row))


@dataclass(frozen=True)
class Attempt:
    """What paying with a card gave: ``paid``, ``declined`` (with ``message``) or ``three_ds``."""

    result: str
    message: str | None = None


def pay(
    session: AsyncSession, settings: SandboxSettings, row: CardCheckoutSession, number: str
) -> Attempt:
    """The person submitted the page with card ``number`` (digits only; never stored)."""
    if number == SUCCESS:
        _succeeded(session, settings, row)
        return Attempt("paid")
    if number in THREE_D_SECURE:
        row.intent_status, row.pending_last4 = "requires_action", number[-4:]
        row.last_error_json = None
        _event(session, settings, row, "payment_intent.requires_action", intent_object(row))
        return Attempt("three_ds")
    code, message = DECLINES.get(number, ("incorrect_number", "Your card number is incorrect."))
    _declined(session, settings, row, code, message)
    return Attempt("declined", message)


def authenticate(
    session: AsyncSession, settings: SandboxSettings, row: CardCheckoutSession, complete: bool
) -> Attempt:
    """The person completed (or failed) the 3-D Secure check."""
    if complete:
        _succeeded(session, settings, row)
        return Attempt("paid")
    _declined(session, settings, row, *AUTHENTICATION_FAILED)
    return Attempt("declined", AUTHENTICATION_FAILED[1])
