"""Webhook registration, validation events, the signing certificate, and delivery control.

Registration is served where Microsoft documents it, ``/webhooks/v1/registration`` (outside
``/v1``), and under ``/v1/webhooks/registration`` as the test event's own ``ResourceUri`` shows:

- ``GET`` / ``POST`` / ``PUT`` / ``DELETE`` the registration (``{"WebhookUrl", "WebhookEvents"}``,
  PascalCase; ``POST``/``PUT`` answer with ``SubscriberId``);
- ``GET .../events`` (also ``/availableEvents``): the event names one can register for;
- ``POST .../validationEvents`` (2 per minute): post a ``test-created`` event, answer
  ``{"correlationId"}``; ``GET .../validationEvents/{correlationId}``: how it went.

``GET /webhooks/certificates/{kid}.cer`` publishes the certificate deliveries are signed with.
Control: ``POST /_sandbox/webhooks/flush`` (deliver now), ``GET /_sandbox/webhooks/deliveries``,
``POST /_sandbox/webhooks/events`` (raise any documented event for a partner).
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import Field

from tenantry_sandbox import errors
from tenantry_sandbox.api import CallingPartner, Session, State
from tenantry_sandbox.background import tick
from tenantry_sandbox.binding import RequestModel
from tenantry_sandbox.resources import PartnerCenterRoute
from tenantry_sandbox.services import webhooks as service
from tenantry_sandbox.store import webhooks
from tenantry_sandbox.store.webhooks import WebhookRegistration
from tenantry_sandbox.webhooks_delivery import certificate

router = APIRouter()
control = APIRouter(prefix="/_sandbox/webhooks", tags=["sandbox control"])


class RegistrationIn(RequestModel):
    webhook_url: str = Field(min_length=1, max_length=2048)
    webhook_events: list[str] = Field(default_factory=list)
    signature_token_to_ms_signature_header: bool = False


def _registration_out(row: WebhookRegistration, *, with_id: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"SubscriberId": str(row.subscriber_id)} if with_id else {}
    body["WebhookUrl"] = row.webhook_url
    body["WebhookEvents"] = row.event_names
    if row.signature_in_ms_header:
        body["SignatureTokenToMsSignatureHeader"] = True
    return body


async def get_registration(partner: CallingPartner, session: Session) -> dict[str, Any]:
    row = await webhooks.registration(session, partner.tenant_id)
    if row is None:
        raise errors.not_found("No webhook registration exists.")
    return _registration_out(row, with_id=False)


async def _save(
    body: RegistrationIn, partner: CallingPartner, state: State, session: Session, *, replace: bool
) -> dict[str, Any]:
    row = await service.register(
        session,
        partner.tenant_id,
        url=body.webhook_url,
        events=body.webhook_events,
        signature_in_ms_header=body.signature_token_to_ms_signature_header,
        now=state.clock.now(),
        replace=replace,
    )
    return _registration_out(row, with_id=True)


async def register(
    body: RegistrationIn, partner: CallingPartner, state: State, session: Session
) -> dict[str, Any]:
    return await _save(body, partner, state, session, replace=False)


async def update_registration(
    body: RegistrationIn, partner: CallingPartner, state: State, session: Session
) -> dict[str, Any]:
    return await _save(body, partner, state, session, replace=True)


async def delete_registration(partner: CallingPartner, session: Session) -> Response:
    row = await webhooks.registration(session, partner.tenant_id)
    if row is None:
        raise errors.not_found("No webhook registration exists.")
    await session.delete(row)
    return Response(status_code=204)


async def available_events(partner: CallingPartner) -> list[str]:
    return list(service.EVENTS)


async def create_validation_event(
    partner: CallingPartner, state: State, session: Session
) -> dict[str, str]:
    correlation_id = await service.create_validation_event(
        session, state.settings, state.clock, partner.tenant_id
    )
    return {"correlationId": str(correlation_id)}


async def validation_status(
    correlation_id: uuid.UUID, partner: CallingPartner, session: Session
) -> dict[str, object]:
    return await service.validation_status(session, partner.tenant_id, correlation_id)


for prefix in ("/webhooks/v1/registration", "/v1/webhooks/registration"):
    registration = APIRouter(prefix=prefix, route_class=PartnerCenterRoute, tags=["webhooks"])
    documented = prefix.startswith("/webhooks")
    for path, endpoint, methods, summary in (
        ("", get_registration, ["GET"], "Get the webhook registration"),
        ("", register, ["POST"], "Register a webhook URL for events"),
        ("", update_registration, ["PUT"], "Change the webhook registration"),
        ("", delete_registration, ["DELETE"], "Remove the webhook registration"),
        ("/events", available_events, ["GET"], "Events one can register for"),
        ("/availableEvents", available_events, ["GET"], "Events one can register for"),
        ("/validationEvents", create_validation_event, ["POST"], "Send a test event"),
        ("/validationEvents/{correlation_id}", validation_status, ["GET"], "Test event status"),
    ):
        registration.add_api_route(
            path,
            endpoint,
            methods=methods,
            summary=summary,
            status_code=204 if methods == ["DELETE"] else 200,
            include_in_schema=documented,
        )
    router.include_router(registration)


@router.get(
    "/webhooks/certificates/{kid}.cer",
    summary="The certificate webhook signatures verify against (DER)",
    tags=["webhooks"],
)
async def signing_certificate(kid: str, state: State) -> Response:
    key = state.tokens.signing_key
    if str(key.kid) != kid:
        raise errors.not_found(f"No signing certificate {kid}.")
    return Response(certificate(key), media_type="application/pkix-cert")


@control.post("/flush", summary="Take due GDAP steps and attempt every pending delivery now")
async def flush(state: State) -> dict[str, Any]:
    report = await tick(state, ignore_schedule=True)
    async with state.db.sessionmaker() as session:
        pending = await service.pending_count(session)
    return {
        "attempted": report.attempted,
        "delivered": report.delivered,
        "failed": report.failed,
        "parked": report.parked,
        "pending": pending,
        "deliveryIds": report.ids,
    }


@control.get("/deliveries", summary="Deliveries, newest first, with their attempts")
async def list_deliveries(
    session: Session,
    partner_tenant_id: Annotated[uuid.UUID | None, Query(alias="partnerTenantId")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    rows = await webhooks.deliveries(session, partner_tenant_id=partner_tenant_id, limit=limit)
    attempts: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for attempt in await webhooks.attempts_of(session, [row.id for row in rows]):
        attempts.setdefault(attempt.delivery_id, []).append(
            {
                "number": attempt.number,
                "attemptedAt": attempt.attempted_at.isoformat(),
                "statusCode": attempt.status_code,
                "error": attempt.error,
                "durationMs": attempt.duration_ms,
            }
        )
    items = [
        {
            "id": str(row.id),
            "partnerTenantId": str(row.partner_tenant_id),
            "eventName": row.event_name,
            "url": row.url,
            "status": row.status,
            "attempts": row.attempts,
            "nextAttemptAt": row.next_attempt_at.isoformat(),
            "lastStatusCode": row.last_status_code,
            "lastError": row.last_error,
            "body": json.loads(row.body),
            "history": attempts.get(row.id, []),
        }
        for row in rows
    ]
    return {"items": items, "totalCount": len(items)}


class EventRequest(RequestModel):
    event_name: str
    partner_tenant_id: uuid.UUID | None = None
    # Fill the event's ResourceUri template: customer_id, subscription_id, invoice_id...
    parameters: dict[str, str] = Field(default_factory=dict)
    audit_uri: str | None = None


@control.post("/events", status_code=201, summary="Raise a documented event for a partner")
async def raise_event(body: EventRequest, state: State, session: Session) -> dict[str, Any]:
    if body.event_name not in service.EVENTS or body.event_name == "test-created":
        raise errors.invalid_property(f"Unknown event {body.event_name}.", "eventName")
    partner = body.partner_tenant_id or state.settings.partner_tenant_id
    delivery = await service.emit(
        session,
        state.settings,
        state.clock,
        partner,
        body.event_name,
        body.parameters,
        audit_uri=body.audit_uri,
    )
    return {"queued": delivery is not None, "deliveryId": str(delivery.id) if delivery else None}


router.include_router(control)
