"""Card payments through Stripe's API: a hosted Checkout page and signed webhooks.

Why Checkout Sessions rather than bare PaymentIntents: the customer types the card on the card
service's own page (3-D Secure included), so no card number ever reaches Tenantry, and no
payment form of ours needs the service's browser script. Starting a payment creates a Checkout
Session (``mode=payment``, one line: the order's total in minor units, ``metadata.order_id`` on
the session and on its PaymentIntent, an ``Idempotency-Key`` derived from the order) and sends
the customer to its ``url``; the order keeps waiting for payment. The service's webhooks then
say what happened (``card_notices``): ``payment_intent.succeeded`` / ``checkout.session.completed``
pay the order, ``payment_intent.payment_failed`` records the decline with its reason,
``payment_intent.requires_action`` records that 3-D Secure is under way.

The same code runs against Stripe and against the sandbox's stand-in; only
``TENANTRY_CARD_API_URL`` and the keys differ.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from tenantry.errors import Conflict, TenantryError
from tenantry.models import Order, Organization
from tenantry.orders.payments import card_notices
from tenantry.orders.payments.base import PaymentNotice, PaymentStep, StepOutcome
from tenantry.orders.payments.minor_units import to_minor_units
from tenantry.settings import Settings

# The API version the adapter is written for: the service answers in its shapes whatever the
# account's default version is.
API_VERSION = "2024-06-20"


class CardServiceUnavailable(TenantryError):
    status = 503
    code = "card_service_unavailable"
    title = "The card payment service cannot be reached"


class CardServiceRefused(TenantryError):
    status = 502
    code = "card_service_refused"
    title = "The card payment service refused to start the payment"


@dataclass(frozen=True)
class CardAccess:
    settings: Settings
    transport: httpx.AsyncBaseTransport | None = None


_current: CardAccess | None = None


def configure(settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> None:
    """The app's settings and HTTP transport for card payments (the sandbox's app in tests)."""
    global _current
    _current = CardAccess(settings, transport)


def _access() -> CardAccess:
    if _current is None:
        raise RuntimeError("card payments are not configured: create_app configures them")
    return _current


def checkout_origin(api_url: str) -> str:
    """Where the hosted Checkout page lives: Stripe serves it from checkout.stripe.com; a
    stand-in of the API (the sandbox) serves it from its own origin."""
    url = httpx.URL(api_url)
    if url.host == "api.stripe.com":
        return "https://checkout.stripe.com"
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"


def session_form(order: Order, return_url: str) -> dict[str, str]:
    """The Checkout Session's form fields for ``order``."""
    order_id = str(order.id)
    return {
        "mode": "payment",
        "payment_method_types[0]": "card",
        "client_reference_id": order_id,
        "metadata[order_id]": order_id,
        "payment_intent_data[metadata][order_id]": order_id,
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": order.currency.lower(),
        "line_items[0][price_data][unit_amount]": str(to_minor_units(order.total, order.currency)),
        "line_items[0][price_data][product_data][name]": f"Order {order_id[:8].upper()}",
        # Back to the order either way: its page says where the payment stands (paid once the
        # webhook confirmed it), so the return itself needs to say nothing.
        "success_url": return_url,
        "cancel_url": return_url,
    }


def idempotency_key(order: Order, return_url: str) -> str:
    """One Checkout Session per order (and return address): starting again within the service's
    24 hours answers the same session, so a double click never makes two."""
    digest = hashlib.sha256(return_url.encode()).hexdigest()[:16]
    return f"tenantry-order-{order.id}-checkout-{digest}"


class CardPayments:
    name = "card"
    title = "Card"
    staff_mark_paid = False
    customer_starts = True

    def instructions(self, order: Order, seller: Organization) -> str:
        return (
            f"Pay {order.currency} {order.total} by card on the card payment page (the order "
            "page's Pay by card). The order is paid once the card service confirms the payment; "
            f"{seller.display_name} sees it then."
        )

    def page_origins(self) -> tuple[str, ...]:
        return (checkout_origin(_access().settings.card_api_url),)

    async def start(self, order: Order, *, return_url: str) -> PaymentStep:
        access = _access()
        settings = access.settings
        try:
            form = session_form(order, return_url)
        except ValueError as exc:
            raise Conflict(
                f"the order cannot be paid by card: {exc}", reason="amount_not_chargeable"
            ) from exc
        headers = {
            "Authorization": f"Bearer {settings.card_secret_key}",
            "Idempotency-Key": idempotency_key(order, return_url),
            "Stripe-Version": API_VERSION,
        }
        url = f"{settings.card_api_url.rstrip('/')}/v1/checkout/sessions"
        try:
            async with httpx.AsyncClient(
                transport=access.transport, timeout=settings.card_timeout_seconds
            ) as http:
                response = await http.post(url, data=form, headers=headers)
        except httpx.HTTPError as exc:
            raise CardServiceUnavailable(
                f"the card payment service did not answer ({type(exc).__name__}); try again"
            ) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise CardServiceUnavailable(
                f"the card payment service answered {response.status_code}; try again"
            )
        body: dict[str, Any] = response.json() if response.content else {}
        if not response.is_success:
            error = body.get("error") or {}
            raise CardServiceRefused(
                str(error.get("message") or f"HTTP {response.status_code}"),
                card_error=str(error.get("code") or error.get("type") or ""),
            )
        return PaymentStep(
            outcome=StepOutcome.REDIRECT,
            reference=str(body["id"]),
            redirect_url=str(body["url"]),
            details={"card_checkout_session": str(body["id"])},
        )

    def notice(self, headers: Mapping[str, str], body: bytes) -> PaymentNotice:
        settings = _access().settings
        card_notices.verify(
            headers, body, settings.card_webhook_secret, settings.card_webhook_tolerance_seconds
        )
        return card_notices.read(body)
