"""Webhooks: a partner's registration, the events the sandbox raises, and validation events.

``emit`` writes a delivery in the caller's transaction when the partner registered for the event
(``webhooks_delivery`` posts it later). Payloads follow the documented samples: PascalCase,
``ResourceChangeUtcDate`` with seven fractional digits, ``ResourceUri`` and ``AuditUri`` always
present (null when the event has none), ``ResourceName`` only where Microsoft sends one. Resource
URIs point at the sandbox (``TENANTRY_SANDBOX_BASE_URL``) where Microsoft's point at Partner
Center; the GDAP ones keep Microsoft's ``partner.microsoft.com`` form, which names the relationship
and is not fetched.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox import errors
from tenantry_sandbox.clock import Clock
from tenantry_sandbox.ratelimit import Throttled
from tenantry_sandbox.settings import SandboxSettings
from tenantry_sandbox.store import webhooks
from tenantry_sandbox.store.webhooks import (
    ValidationEvent,
    WebhookDelivery,
    WebhookRegistration,
)

GDAP_URI = "https://partner.microsoft.com/granularAdminRelationships/{relationship_id}"
GDAP_ASSIGNMENT_URI = GDAP_URI + "/accessAssignments/{assignment_id}"
REFERRAL_URI = "{base}/engagements/v1/referrals/{referral_id}"
VALIDATIONS_PER_MINUTE = 2


@dataclass(frozen=True)
class EventTemplate:
    resource_name: str | None
    resource_uri: str | None  # str.format template: {base} plus the event's own parameters
    names_resource: bool = True  # whether the payload carries ResourceName at all
    audit_uri: str | None = None  # for events whose samples carry one; {audit_id} is generated


# The documented events (partner-center-webhook-events, 2023-10, plus the newer indirect one).
EVENTS: dict[str, EventTemplate] = {
    "test-created": EventTemplate(
        "test", "{base}/webhooks/v1/registration/validationEvents/{correlation_id}"
    ),
    "subscription-updated": EventTemplate(
        "subscription",
        "{base}/webhooks/v1/customers/{customer_id}/subscriptions/{subscription_id}",
        audit_uri="{base}/v1/auditrecords/{audit_id}",
    ),
    "usagerecords-thresholdExceeded": EventTemplate(
        "usagerecords", "{base}/v1/customers/usagerecords"
    ),
    "referral-created": EventTemplate("referral", REFERRAL_URI),
    "referral-updated": EventTemplate("referral", REFERRAL_URI),
    "related-referral-created": EventTemplate("referral", REFERRAL_URI),
    "related-referral-updated": EventTemplate("referral", REFERRAL_URI),
    **{
        f"granular-admin-relationship-{change}": EventTemplate(
            "GranularAdminRelationship", GDAP_URI
        )
        for change in ("approved", "activated", "terminated", "expired")
    },
    **{
        f"granular-admin-access-assignment-{change}": EventTemplate(
            "GranularAdminAccessAssignment", GDAP_ASSIGNMENT_URI
        )
        for change in ("created", "activated", "updated", "deleted")
    },
    "reseller-relationship-accepted-by-customer": EventTemplate(
        "Customer", "{base}/v1/customers/{customer_id}"
    ),
    "indirect-reseller-relationship-accepted-by-customer": EventTemplate(
        "Customer", "{base}/v1/customers/{customer_id}"
    ),
    **{
        f"dap-admin-relationship-{change}": EventTemplate("PartnerCustomerDap", None)
        for change in ("approved", "terminated", "terminated-by-microsoft")
    },
    "azure-fraud-event-detected": EventTemplate(
        None,
        "{base}/v1/fraudEvents?SubscriptionId={subscription_id}&EventStatus={event_status}",
        names_resource=False,
    ),
    "invoice-ready": EventTemplate("invoice", "{base}/v1/invoices/{invoice_id}"),
    **{
        f"new-commerce-migration-{change}": EventTemplate(
            "NewCommerceMigration", "{base}/v1/customers/{customer_id}/migrations/{migration_id}"
        )
        for change in ("created", "completed", "failed", "schedule-failed")
    },
}


def change_date(moment: datetime) -> str:
    """``2023-10-18T00:26:24.0159088+00:00``: .NET's round-trip format, seven digits."""
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond:06d}0+00:00"


def dotnet_ticks(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - datetime(1, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def resource_uri(
    settings: SandboxSettings, event_name: str, params: Mapping[str, str]
) -> str | None:
    template = EVENTS[event_name].resource_uri
    if template is None:
        return None
    try:
        return template.format(base=settings.issuer_base, **params)
    except KeyError as exc:
        raise errors.invalid_property(
            f"The event {event_name} needs the parameter {exc.args[0]}.", "parameters"
        ) from exc


def event_body(event_name: str, uri: str | None, audit_uri: str | None, moment: datetime) -> bytes:
    template = EVENTS[event_name]
    body: dict[str, object] = {"EventName": event_name, "ResourceUri": uri}
    if template.names_resource:
        body["ResourceName"] = template.resource_name
    body["AuditUri"] = audit_uri
    body["ResourceChangeUtcDate"] = change_date(moment)
    return json.dumps(body).encode()


def check_registration(url: str, events: list[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise errors.invalid_property(f"WebhookUrl '{url}' is not an absolute URL.", "WebhookUrl")
    unknown = [name for name in events if name not in EVENTS]
    if unknown:
        raise errors.invalid_property(
            f"Unknown webhook events: {', '.join(unknown)}.", "WebhookEvents"
        )


async def register(
    session: AsyncSession,
    partner_tenant_id: uuid.UUID,
    *,
    url: str,
    events: list[str],
    signature_in_ms_header: bool,
    now: datetime,
    replace: bool,
) -> WebhookRegistration:
    """POST (``replace=False``: refused when one exists) or PUT (``replace=True``: must exist)."""
    check_registration(url, events)
    row = await webhooks.registration(session, partner_tenant_id)
    if row is None and replace:
        raise errors.not_found("No webhook registration exists; register with POST first.")
    if row is not None and not replace:
        raise errors.PartnerCenterError(
            409, 3000, "A webhook registration already exists; update it with PUT."
        )
    if row is None:
        row = WebhookRegistration(
            partner_tenant_id=partner_tenant_id, subscriber_id=uuid.uuid4(), created_at=now
        )
        session.add(row)
    row.webhook_url = url
    row.events = json.dumps(list(dict.fromkeys(events)))
    row.signature_in_ms_header = signature_in_ms_header
    row.updated_at = now
    await session.flush()
    return row


async def emit(
    session: AsyncSession,
    settings: SandboxSettings,
    clock: Clock,
    partner_tenant_id: uuid.UUID,
    event_name: str,
    params: Mapping[str, str],
    *,
    audit_uri: str | None = None,
    correlation_id: uuid.UUID | None = None,
) -> WebhookDelivery | None:
    """Queue the event for the partner if it registered for it (test events always)."""
    row = await webhooks.registration(session, partner_tenant_id)
    if row is None or (correlation_id is None and event_name not in row.event_names):
        return None
    now = clock.now()
    template = EVENTS[event_name]
    if audit_uri is None and template.audit_uri is not None:
        audit_uri = template.audit_uri.format(base=settings.issuer_base, audit_id=uuid.uuid4())
    delivery = WebhookDelivery(
        id=uuid.uuid4(),
        partner_tenant_id=partner_tenant_id,
        event_name=event_name,
        url=row.webhook_url,
        body=event_body(event_name, resource_uri(settings, event_name, params), audit_uri, now),
        signature_in_ms_header=row.signature_in_ms_header,
        correlation_id=correlation_id,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(delivery)
    await session.flush()
    return delivery


async def relationship_accepted(
    session: AsyncSession,
    settings: SandboxSettings,
    clock: Clock,
    customer_id: uuid.UUID,
    partner_tenant_id: uuid.UUID,
    reseller_tenant_id: uuid.UUID | None,
) -> None:
    """A customer accepted an invitation: tell the partner of record and, if any, the reseller.

    ``reseller-relationship-accepted-by-customer`` goes to the partner the customer now has a
    reseller relationship with (the indirect provider for an indirect invitation);
    ``indirect-reseller-relationship-accepted-by-customer`` to both sides of an indirect one.
    """
    ticks = dotnet_ticks(clock.now())
    params = {"customer_id": str(customer_id)}

    def audit(partner: uuid.UUID, kind: str) -> str:
        return f"{settings.issuer_base}/auditactivity/v1/auditrecords/{partner}_{customer_id}_{kind}_{ticks}"

    await emit(
        session,
        settings,
        clock,
        partner_tenant_id,
        "reseller-relationship-accepted-by-customer",
        params,
        audit_uri=audit(partner_tenant_id, "resellerrelationshipacceptedbycustomer"),
    )
    if reseller_tenant_id is None:
        return
    for partner in (partner_tenant_id, reseller_tenant_id):
        await emit(
            session,
            settings,
            clock,
            partner,
            "indirect-reseller-relationship-accepted-by-customer",
            params,
            audit_uri=audit(partner, "indirectresellerrelationshipacceptedbycustomer"),
        )


async def create_validation_event(
    session: AsyncSession,
    settings: SandboxSettings,
    clock: Clock,
    partner_tenant_id: uuid.UUID,
) -> uuid.UUID:
    """Queue a ``test-created`` event to the registered URL; at most 2 per minute, as documented."""
    row = await webhooks.registration(session, partner_tenant_id)
    if row is None:
        raise errors.not_found("No webhook registration exists.")
    now = clock.now()
    window = now - timedelta(minutes=1)
    recent = list(
        (
            await session.execute(
                select(ValidationEvent.created_at)
                .where(
                    ValidationEvent.partner_tenant_id == partner_tenant_id,
                    ValidationEvent.created_at > window,
                )
                .order_by(ValidationEvent.created_at)
            )
        ).scalars()
    )
    if len(recent) >= VALIDATIONS_PER_MINUTE:
        raise Throttled(max(1, int((recent[0] - window).total_seconds()) + 1))
    correlation_id = uuid.uuid4()
    session.add(
        ValidationEvent(
            correlation_id=correlation_id,
            partner_tenant_id=partner_tenant_id,
            callback_url=row.webhook_url,
            created_at=now,
        )
    )
    await emit(
        session,
        settings,
        clock,
        partner_tenant_id,
        "test-created",
        {"correlation_id": str(correlation_id)},
        correlation_id=correlation_id,
    )
    return correlation_id


async def validation_status(
    session: AsyncSession, partner_tenant_id: uuid.UUID, correlation_id: uuid.UUID
) -> dict[str, object]:
    """As documented: ``completed`` once the test event was delivered or given up on."""
    event = await session.get(ValidationEvent, correlation_id)
    if event is None or event.partner_tenant_id != partner_tenant_id:
        raise errors.not_found(f"Validation event {correlation_id} not found.")
    found = await webhooks.deliveries(session, correlation_id=correlation_id, limit=1)
    delivery = found[0] if found else None
    attempts = await webhooks.attempts_of(session, [delivery.id] if delivery else [])
    done = delivery is not None and delivery.status != webhooks.PENDING
    return {
        "correlationId": str(correlation_id),
        "partnerId": str(partner_tenant_id),
        "status": "completed" if done else "pending",
        "callbackUrl": event.callback_url,
        "results": [
            {
                "responseCode": _response_code(attempt.status_code),
                "responseMessage": attempt.error or "",
                "systemError": attempt.status_code is None,
                "dateTimeUtc": f"{attempt.attempted_at.astimezone(UTC):%Y-%m-%dT%H:%M:%S}."
                f"{attempt.attempted_at.microsecond:06d}0",
            }
            for attempt in attempts
        ],
    }


def _response_code(status: int | None) -> str:
    """.NET's ``HttpStatusCode`` name, as the documented ``"OK"``."""
    if status is None:
        return "None"
    try:
        return "".join(part.title() for part in HTTPStatus(status).name.split("_")).replace(
            "Ok", "OK"
        )
    except ValueError:
        return str(status)


async def pending_count(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.status == webhooks.PENDING)
        )
        or 0
    )
