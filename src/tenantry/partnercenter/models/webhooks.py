"""Webhook registration, validation events and the event payloads Partner Center posts to us.

Registration and event payloads are PascalCase on the wire, as documented.
"""

from __future__ import annotations

from pydantic import Field

from tenantry.partnercenter.models.base import PartnerCenterModel, PascalCaseModel, Timestamp


class WebhookRegistration(PascalCaseModel):
    webhook_url: str
    webhook_events: list[str] = Field(default_factory=list)
    subscriber_id: str | None = None
    # When true, Partner Center sends the signature in ``x-ms-signature``, not ``Authorization``.
    signature_token_to_ms_signature_header: bool | None = None


class WebhookEvent(PascalCaseModel):
    """The body of one webhook delivery.

    Payloads are inconsistent across events: ``ResourceUri`` may be ``http://``, point at
    partner.microsoft.com (GDAP), or be absent (DAP); ``ResourceName`` may be missing.
    """

    event_name: str
    resource_uri: str | None = None
    resource_name: str | None = None
    audit_uri: str | None = None
    resource_change_utc_date: Timestamp = None


class ValidationEvent(PartnerCenterModel):
    """Answer to ``POST validationEvents``: the id to poll the test delivery by."""

    correlation_id: str


class ValidationResult(PartnerCenterModel):
    response_code: str | None = None
    response_message: str | None = None
    system_error: bool | None = None
    date_time_utc: Timestamp = None


class ValidationEventStatus(PartnerCenterModel):
    correlation_id: str
    partner_id: str | None = None
    status: str | None = None
    callback_url: str | None = None
    results: list[ValidationResult] = Field(default_factory=list)
