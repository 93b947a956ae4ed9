"""Reading the card service's webhooks: the ``Stripe-Signature`` scheme and what each event
means for an order.

The signature header is ``t=<unix time>,v1=<hex HMAC-SHA256>[,v1=...]``: the HMAC, keyed with the
endpoint's signing secret (``whsec_...``), is over ``"<t>.<raw body>"``. A call whose time is
further back than the tolerance is refused (a replay of an old capture), as is one with no
matching ``v1``. Events are read by their object: a Checkout Session (``checkout.session.*``) or
the PaymentIntent behind it (``payment_intent.*``), both carrying the order id in ``metadata``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

from tenantry.orders.payments.base import (
    IgnoredNotice,
    InvalidNotice,
    PaymentNotice,
    StepOutcome,
)

SIGNATURE_HEADER = "stripe-signature"


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    """The header the service sends for ``body`` at ``timestamp`` (for tests and the sandbox's
    description of the scheme)."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(
    headers: Mapping[str, str], body: bytes, secret: str, tolerance: int, now: float | None = None
) -> None:
    """Raise :class:`InvalidNotice` unless ``body`` is signed with ``secret`` within ``tolerance``
    seconds."""
    lowered = {name.lower(): value for name, value in headers.items()}
    header = lowered.get(SIGNATURE_HEADER)
    if not header:
        raise InvalidNotice("no Stripe-Signature header")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise InvalidNotice("the Stripe-Signature header has no timestamp or no v1 signature")
    expected = signature_header(secret, body, timestamp).rpartition("v1=")[2]
    if not any(hmac.compare_digest(expected, given) for given in signatures):
        raise InvalidNotice("the signature does not match the webhook signing secret")
    if timestamp < (time.time() if now is None else now) - tolerance:
        raise InvalidNotice(f"the signature is older than {tolerance} seconds")


def _order_id(obj: Mapping[str, Any]) -> uuid.UUID:
    metadata = obj.get("metadata") or {}
    raw = metadata.get("order_id") or obj.get("client_reference_id")
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise IgnoredNotice("the event is not about a Tenantry order") from None


def intent_outcome(intent: Mapping[str, Any]) -> tuple[StepOutcome, str | None, str | None]:
    """A PaymentIntent's status as an outcome, with the decline's code and words."""
    status = intent.get("status")
    if status == "succeeded":
        return StepOutcome.PAID, None, None
    if status in ("requires_action", "processing", "requires_confirmation"):
        return StepOutcome.PENDING, None, None
    if status in ("requires_payment_method", "canceled"):
        error = intent.get("last_payment_error") or {}
        code = error.get("decline_code") or error.get("code") or status
        message = error.get("message") or (
            "The payment was cancelled." if status == "canceled" else "The card was declined."
        )
        return StepOutcome.DECLINED, str(code), str(message)
    raise IgnoredNotice(f"a PaymentIntent {status!r} says nothing about the payment yet")


def _session_outcome(
    kind: str, session: Mapping[str, Any]
) -> tuple[StepOutcome, str | None, str | None]:
    if kind == "checkout.session.expired":
        return (
            StepOutcome.DECLINED,
            "checkout_expired",
            "The card payment page expired before the card was charged; start the payment again.",
        )
    if kind == "checkout.session.async_payment_failed":
        return StepOutcome.DECLINED, "payment_failed", "The payment failed."
    if session.get("payment_status") in ("paid", "no_payment_required"):
        return StepOutcome.PAID, None, None
    return StepOutcome.PENDING, None, None


def read(body: bytes) -> PaymentNotice:
    """What one verified event says (:class:`IgnoredNotice` for events about something else)."""
    try:
        event = json.loads(body)
        kind = str(event["type"])
        obj = event["data"]["object"]
    except (ValueError, KeyError, TypeError):
        raise InvalidNotice("the body is not an event") from None
    if kind.startswith("payment_intent."):
        outcome, code, message = intent_outcome(obj)
        reference = str(obj.get("id"))
    elif kind.startswith("checkout.session."):
        outcome, code, message = _session_outcome(kind, obj)
        reference = str(obj.get("payment_intent") or obj.get("id"))
    else:
        raise IgnoredNotice(f"{kind} events are not about payments")
    return PaymentNotice(
        order_id=_order_id(obj),
        outcome=outcome,
        reference=reference,
        code=code,
        message=message,
        details={"card_event": kind},
        notice_id=str(event.get("id") or "") or None,
    )
