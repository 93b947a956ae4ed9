"""What a payment provider is to Tenantry.

A provider takes an order's payment its own way. The order flow asks it two things: how the
customer pays (words and, for a provider that takes payments online, a way to start one), and,
for a provider that hears back later (a card payment confirmed by webhook), what its
notifications mean. The provider never moves the order itself: it answers with a
:class:`PaymentStep` or a :class:`PaymentNotice`, and ``orders.payments.service`` moves the order
through ``orders.flow`` (paid, still pending, declined), writing the timeline and the audit.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from tenantry.models import Order, Organization


class StepOutcome(enum.StrEnum):
    # The payment went through now: the order is paid.
    PAID = "paid"
    # The customer must go to ``redirect_url`` (a payment page, 3-D Secure) and come back.
    REDIRECT = "redirect"
    # Started; the provider confirms later (a webhook): the order keeps waiting for payment.
    PENDING = "pending"
    # Refused (``code``, ``message`` in plain words): the order keeps waiting for payment.
    DECLINED = "declined"


@dataclass(frozen=True)
class PaymentStep:
    """What starting a payment gave."""

    outcome: StepOutcome
    # The provider's id for this payment (kept on the order as its payment reference).
    reference: str | None = None
    redirect_url: str | None = None
    code: str | None = None
    message: str | None = None
    # Anything the provider needs again later (never card data): kept in ``payment_details``.
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PaymentNotice:
    """What one verified notification from the provider says about one order's payment."""

    order_id: uuid.UUID
    outcome: StepOutcome  # PAID, PENDING or DECLINED
    reference: str | None = None
    code: str | None = None
    message: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    # The provider's id of the notification: one seen before on the order changes nothing
    # (providers send a notification again when they are unsure it arrived).
    notice_id: str | None = None


class InvalidNotice(Exception):
    """A notification that is not the provider's (bad signature) or not understood: refused
    with 400, nothing changes."""


class IgnoredNotice(Exception):
    """A genuine notification that says nothing about an order's payment (another kind of event):
    answered 200 so the provider stops sending it, nothing changes."""


class PaymentProvider(Protocol):
    """One way to pay. ``name`` is stored on orders (``payment_provider``): never rename it."""

    name: str
    # Shown to people: "Invoice", "Card".
    title: str
    # Whether the seller's staff mark orders paid by hand with a reference (the manual provider).
    staff_mark_paid: bool
    # Whether the customer starts a payment from the order page (``start``).
    customer_starts: bool

    def instructions(self, order: Order, seller: Organization) -> str:
        """How the customer pays this order, in plain words (the order page and the emails)."""
        ...

    def page_origins(self) -> tuple[str, ...]:
        """Origins of the provider's own pages that ``start`` may send the customer to: the order
        page's Content-Security-Policy lets its forms lead there (``form-action``)."""
        ...

    async def start(self, order: Order, *, return_url: str) -> PaymentStep:
        """Begin taking the order's payment (only called when ``customer_starts``); ``return_url``
        is where a redirect should bring the customer back."""
        ...

    def notice(self, headers: Mapping[str, str], body: bytes) -> PaymentNotice:
        """Verify and read one webhook call (raise :class:`InvalidNotice` when it is not the
        provider's); a provider without webhooks raises it always."""
        ...
