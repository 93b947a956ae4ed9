"""HTTP API of Partner Center's events: the webhook callback Partner Center posts to, and the
list staff read (/api/v1/partner-center/events)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request, Response

from tenantry.db import Database
from tenantry.deps import CurrentActor, DbSession
from tenantry.models import EventOutcome
from tenantry.pagination import MAX_PAGE_SIZE
from tenantry.partnercenter_events import service, signature
from tenantry.partnercenter_events.schemas import (
    EVENT_BODY_SCHEMA,
    EventReceipt,
    PartnerCenterEventRead,
)
from tenantry.problems import API_ERRORS, PROBLEM_MEDIA_TYPE, ProblemDetails
from tenantry.schemas import Page
from tenantry.settings import WEBHOOK_PATH, Settings

router = APIRouter(tags=["Partner Center events"], responses=API_ERRORS)


def _certificates(app: FastAPI) -> signature.CertificateCache:
    """The app's downloaded signing certificates, made on first use."""
    cache: signature.CertificateCache | None = getattr(
        app.state, "partner_center_certificates", None
    )
    if cache is None:
        settings: Settings = app.state.settings
        cache = signature.CertificateCache(
            settings.partner_center_webhook_certificate_cache_seconds
        )
        app.state.partner_center_certificates = cache
    return cache


async def _body(request: Request) -> bytes:
    """The raw body, refused (413) past ``MAX_BODY_BYTES`` without reading it all."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > service.MAX_BODY_BYTES:
            raise service.TooLarge(
                f"An event body is at most {service.MAX_BODY_BYTES // 1024} KiB; nothing recorded."
            )
    return bytes(body)


@router.post(
    WEBHOOK_PATH,
    summary="Partner Center's webhook callback (signed by Partner Center; no API token)",
    description="Partner Center posts each event here. The signature (Authorization or "
    "x-ms-signature: `Signature <base64>`) must verify against the certificate at "
    "X-MS-Certificate-Url, which must be one of the allowed certificate URLs and issued for an "
    "expected subject, with X-MS-Signature-Algorithm rsa-sha256; otherwise 401 and nothing is "
    "recorded. 503 when the certificate cannot be downloaded now (Partner Center retries). A new "
    "event is 202 and handled in the background; a delivery of an event already recorded is "
    "200 and changes nothing. A signed body that is not a JSON object is 400; one over 256 KiB "
    "413. The event belongs to the platform whose tenant ID is TENANTRY_PARTNER_CENTER_TENANT_ID "
    "(else the only platform); when none can be told apart, 503 and nothing is recorded.",
    status_code=202,
    responses={
        200: {"model": EventReceipt, "description": "Recorded by an earlier delivery"},
        **{
            status: {"model": ProblemDetails, "content": {PROBLEM_MEDIA_TYPE: {}}}
            for status in (413, 503)
        },
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": EVENT_BODY_SCHEMA}},
        }
    },
)
async def receive_event(request: Request, response: Response) -> EventReceipt:
    body = await _body(request)
    settings: Settings = request.app.state.settings
    policy = signature.TrustPolicy(
        settings.webhook_certificate_urls, settings.webhook_certificate_subjects
    )
    await signature.verify(
        request.headers,
        body,
        policy=policy,
        cache=_certificates(request.app),
        fetch=signature.http_fetch(request.app.state.http_transport),
    )
    parsed = service.parse(body)
    # Verified before the transaction opens: a write transaction is not held across a download.
    database: Database = request.app.state.database
    async with database.transaction() as session:
        platform_id = await service.receiving_platform(session, settings.partner_center_tenant_id)
        event, created = await service.record(session, platform_id, parsed)
        receipt = EventReceipt(id=event.id, event_name=event.event_name, duplicate=not created)
    if not created:
        response.status_code = 200
    return receipt


@router.get(
    "/api/v1/partner-center/events",
    summary="Partner Center's events, newest first, with what became of each",
    description="Platform staff with partner_center_events.read see their own platform's events. "
    "Filter by outcome and by event type (as sent; types no handler knows are listed as "
    "ignored).",
)
async def list_events(
    session: DbSession,
    actor: CurrentActor,
    outcome: EventOutcome | None = None,
    event_name: Annotated[str | None, Query(max_length=128)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[PartnerCenterEventRead]:
    rows, next_cursor = await service.page(
        session, actor, outcome=outcome, event_name=event_name, cursor=cursor, limit=limit
    )
    return Page(
        items=[PartnerCenterEventRead.model_validate(row) for row in rows],
        next_cursor=next_cursor,
    )
