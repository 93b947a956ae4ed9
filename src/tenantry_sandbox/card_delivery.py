"""Posting the card stand-in's events to the merchant's webhook endpoint, signed.

Each event is posted as it was written, with ``Stripe-Signature: t=<now>,v1=<HMAC-SHA256>``
computed at the attempt (as Stripe signs each attempt afresh). A 2xx answer delivers it; anything
else retries after the same backoff as Partner Center's deliveries, then parks it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from sqlalchemy import select

from tenantry_sandbox.services.cardpay import signature_header
from tenantry_sandbox.store import cardpay
from tenantry_sandbox.store.cardpay import DELIVERED, PARKED, CardEvent
from tenantry_sandbox.webhooks_delivery import DeliveryReport, backoff

if TYPE_CHECKING:
    from tenantry_sandbox.state import SandboxState


async def post(http: httpx.AsyncClient, state: SandboxState, url: str, body: bytes) -> str | None:
    """Post one event body; the error (None when delivered)."""
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": signature_header(state.settings.card_webhook_secret, body),
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks) tenantry-sandbox",
    }
    try:
        response = await http.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:1000]
    return None if response.is_success else f"HTTP {response.status_code}: {response.text[:500]}"


async def deliver(state: SandboxState, *, everything: bool = False) -> DeliveryReport:
    """Post every due event once (every pending one with ``everything``)."""
    report = DeliveryReport()
    async with state.db.sessionmaker() as session:
        due = await cardpay.due_events(session, state.clock.now(), everything=everything)
    if not due:
        return report
    timeout = httpx.Timeout(state.settings.webhook_timeout_seconds)
    async with httpx.AsyncClient(transport=state.webhook_transport, timeout=timeout) as http:
        for event_id in due:
            async with state.db.transaction() as session:
                event = await session.scalar(
                    select(CardEvent).where(CardEvent.id == event_id).with_for_update()
                )
                if event is None or event.status != cardpay.PENDING:
                    continue
                error = await post(http, state, event.url, event.body.encode())
                event.attempts += 1
                event.last_error = error
                report.attempted += 1
                report.ids.append(event.id)
                if error is None:
                    event.status, event.delivered_at = DELIVERED, state.clock.now()
                    report.delivered += 1
                elif event.attempts >= state.settings.webhook_max_attempts:
                    event.status = PARKED
                    report.parked += 1
                else:
                    event.next_attempt_at = state.clock.now() + backoff(
                        state.settings, event.attempts
                    )
                    report.failed += 1
    return report
