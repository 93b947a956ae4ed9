"""The card payment stand-in's HTTP face: Stripe's Checkout Sessions API, its hosted payment
page (with the 3-D Secure check), and the control routes tests use.

- ``POST /v1/checkout/sessions`` (form-encoded, ``Authorization: Bearer <secret key>``,
  ``Idempotency-Key``), ``GET /v1/checkout/sessions/{id}``: as Stripe's API, errors in its
  ``{"error": {...}}`` shape;
- ``GET|POST /c/pay/{id}``: the hosted page where the person types a test card
  (``services.cardpay`` says which does what); ``GET|POST /c/pay/{id}/authenticate``: 3-D Secure;
- ``GET /_sandbox/card/events``, ``POST /_sandbox/card/events/flush``,
  ``POST /_sandbox/card/events/{id}/resend``: the events, posted now, or posted again (a replay).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import select

from tenantry_sandbox import card_delivery
from tenantry_sandbox.api import Session, State
from tenantry_sandbox.routes._pages import message, page
from tenantry_sandbox.services import cardpay as service
from tenantry_sandbox.store import cardpay
from tenantry_sandbox.store.cardpay import CardCheckoutSession, CardEvent

router = APIRouter(tags=["card payments (Stripe stand-in)"])


def _error(status: int, message_text: str, *, param: str | None = None,
           kind: str = "invalid_request_error") -> JSONResponse:  # fmt: skip
    error: dict[str, Any] = {"type": kind, "message": message_text}
    if param:
        error["param"] = param
    return JSONResponse({"error": error}, status_code=status)


def _authorized(request: Request, state: State) -> bool:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and key.strip() == state.settings.card_secret_key


def _metadata(form: dict[str, str], prefix: str) -> dict[str, str]:
    return {
        name[len(prefix) : -1]: value
        for name, value in form.items()
        if name.startswith(prefix) and name.endswith("]")
    }


def _amount(form: dict[str, str]) -> tuple[int, str, str] | JSONResponse:
    """Total, currency and first product name of the line items (price_data only)."""
    total, currency, names, index = 0, "", [], 0
    while f"line_items[{index}][quantity]" in form:
        item = f"line_items[{index}]"
        raw_amount = form.get(f"{item}[price_data][unit_amount]", "")
        raw_quantity = form[f"{item}[quantity]"]
        if not raw_amount.isdigit() or not raw_quantity.isdigit():
            return _error(400, "Invalid integer", param=f"{item}[price_data][unit_amount]")
        item_currency = form.get(f"{item}[price_data][currency]", "").lower()
        if len(item_currency) != 3 or (currency and item_currency != currency):
            return _error(400, "Invalid currency", param=f"{item}[price_data][currency]")
        currency = item_currency
        total += int(raw_amount) * int(raw_quantity)
        names.append(form.get(f"{item}[price_data][product_data][name]", "Item"))
        index += 1
    if not index:
        return _error(400, "Missing required param: line_items.", param="line_items")
    return total, currency, ", ".join(names)


@router.post("/v1/checkout/sessions", summary="Create a Checkout Session (mode=payment)")
async def create_session(request: Request, state: State, session: Session) -> Response:
    if not _authorized(request, state):
        return _error(401, "Invalid API Key provided.")
    form = {name: str(value) for name, value in (await request.form()).items()}
    key = request.headers.get("idempotency-key")
    if key:
        existing = await cardpay.session_by_key(session, key[:255])
        if existing is not None:
            return JSONResponse(service.session_object(existing, state.settings))
    if form.get("mode") != "payment":
        return _error(400, "This stand-in takes mode=payment only.", param="mode")
    if not form.get("success_url"):
        return _error(400, "Missing required param: success_url.", param="success_url")
    amount = _amount(form)
    if isinstance(amount, JSONResponse):
        return amount
    total, currency, name = amount
    row = CardCheckoutSession(
        id=service.new_id("cs_test"),
        idempotency_key=key[:255] if key else None,
        payment_intent_id=service.new_id("pi"),
        amount=total,
        currency=currency,
        product_name=name,
        client_reference_id=form.get("client_reference_id"),
        metadata_json=json.dumps(_metadata(form, "metadata[")),
        intent_metadata_json=json.dumps(_metadata(form, "payment_intent_data[metadata][")),
        success_url=form["success_url"],
        cancel_url=form.get("cancel_url"),
    )
    session.add(row)
    await session.flush()
    return JSONResponse(service.session_object(row, state.settings))


@router.get("/v1/checkout/sessions/{session_id}", summary="Retrieve a Checkout Session")
async def get_session(
    session_id: str, request: Request, state: State, session: Session
) -> Response:
    if not _authorized(request, state):
        return _error(401, "Invalid API Key provided.")
    row = await session.get(CardCheckoutSession, session_id)
    if row is None:
        return _error(404, f"No such checkout.session: '{session_id}'", param="id")
    return JSONResponse(service.session_object(row, state.settings))


def _money(row: CardCheckoutSession) -> str:
    exponent = service.minor_exponent(row.currency)
    return f"{row.currency.upper()} {row.amount / 10**exponent:.{exponent}f}"


def _checkout(request: Request, row: CardCheckoutSession, error: str | None = None,
              status_code: int = 200) -> Response:  # fmt: skip
    return page(
        request, "card_checkout.html", status_code=status_code, chrome="card",
        title="Pay by card", row=row, amount=_money(row), error=error,
        test_cards=service.TEST_CARDS,
    )  # fmt: skip


async def _open(
    request: Request, session: Session, session_id: str
) -> CardCheckoutSession | Response:
    row = await session.get(CardCheckoutSession, session_id, with_for_update=True)
    if row is None:
        return message(request, "Payment page not found", "This payment page does not exist.",
                       status_code=404, chrome="card")  # fmt: skip
    if row.status != "open":
        return message(request, "Nothing to pay here", f"This payment is {row.status}.",
                       chrome="card", links=[("Back to the shop", row.success_url)])  # fmt: skip
    return row


@router.get("/c/pay/{session_id}", summary="The hosted payment page", include_in_schema=False)
async def checkout_page(session_id: str, request: Request, session: Session) -> Response:
    row = await _open(request, session, session_id)
    if not isinstance(row, CardCheckoutSession):
        return row
    if row.intent_status == "requires_action":
        return RedirectResponse(f"/c/pay/{row.id}/authenticate", status_code=303)
    error = (row.last_error or {}).get("message")
    return _checkout(request, row, error)


@router.post("/c/pay/{session_id}", include_in_schema=False)
async def checkout_pay(
    session_id: str, request: Request, state: State, session: Session,
    number: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    row = await _open(request, session, session_id)
    if not isinstance(row, CardCheckoutSession):
        return row
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) < 12:
        return _checkout(request, row, "Enter the card number.", status_code=422)
    attempt = service.pay(session, state.settings, row, digits)
    if attempt.result == "paid":
        return RedirectResponse(row.success_url, status_code=303)
    if attempt.result == "three_ds":
        return RedirectResponse(f"/c/pay/{row.id}/authenticate", status_code=303)
    return _checkout(request, row, attempt.message, status_code=402)


@router.get("/c/pay/{session_id}/authenticate", include_in_schema=False)
async def authenticate_page(session_id: str, request: Request, session: Session) -> Response:
    row = await _open(request, session, session_id)
    if not isinstance(row, CardCheckoutSession):
        return row
    if row.intent_status != "requires_action":
        return RedirectResponse(f"/c/pay/{row.id}", status_code=303)
    return page(request, "card_authenticate.html", chrome="card", title="3-D Secure",
                row=row, amount=_money(row))  # fmt: skip


@router.post("/c/pay/{session_id}/authenticate", include_in_schema=False)
async def authenticate(
    session_id: str, request: Request, state: State, session: Session,
    result: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    row = await _open(request, session, session_id)
    if not isinstance(row, CardCheckoutSession):
        return row
    if row.intent_status != "requires_action":
        return RedirectResponse(f"/c/pay/{row.id}", status_code=303)
    attempt = service.authenticate(session, state.settings, row, result == "complete")
    if attempt.result == "paid":
        return RedirectResponse(row.success_url, status_code=303)
    return RedirectResponse(f"/c/pay/{row.id}", status_code=303)


def _event_summary(event: CardEvent) -> dict[str, Any]:
    return {
        "id": event.id, "type": event.type, "sessionId": event.session_id,
        "status": event.status, "attempts": event.attempts, "lastError": event.last_error,
    }  # fmt: skip


@router.get("/_sandbox/card/events", tags=["sandbox control"], summary="Card events, oldest first")
async def list_events(
    session: Session, session_id: Annotated[str | None, Query(alias="sessionId")] = None
) -> dict[str, Any]:
    return {"items": [_event_summary(e) for e in await cardpay.events_of(session, session_id)]}


@router.post("/_sandbox/card/events/flush", tags=["sandbox control"],
             summary="Post every pending card event now")  # fmt: skip
async def flush_events(state: State) -> dict[str, Any]:
    report = await card_delivery.deliver(state, everything=True)
    return {"attempted": report.attempted, "delivered": report.delivered,
            "failed": report.failed, "parked": report.parked, "eventIds": report.ids}  # fmt: skip


@router.post("/_sandbox/card/events/{event_id}/resend", tags=["sandbox control"],
             summary="Post one event again, freshly signed (a replay, as the dashboard's resend)")  # fmt: skip
async def resend_event(event_id: str, state: State, session: Session) -> Response:
    event = await session.scalar(select(CardEvent).where(CardEvent.id == event_id))
    if event is None:
        return _error(404, f"No such event: '{event_id}'")
    timeout = httpx.Timeout(state.settings.webhook_timeout_seconds)
    async with httpx.AsyncClient(transport=state.webhook_transport, timeout=timeout) as http:
        error = await card_delivery.post(http, state, event.url, event.body.encode())
    event.attempts += 1
    event.last_error = error
    return JSONResponse(_event_summary(event) | {"delivered": error is None})
