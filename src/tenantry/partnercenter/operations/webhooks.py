"""Webhook registration and validation (``/webhooks/v1/registration``, outside ``/v1``)."""

from __future__ import annotations

from tenantry.partnercenter.core import ClientCore
from tenantry.partnercenter.models.webhooks import (
    ValidationEvent,
    ValidationEventStatus,
    WebhookRegistration,
)


class WebhookOperations(ClientCore):
    async def list_webhook_events(self) -> list[str]:
        """Event names we can subscribe to."""
        return await self._call(
            list[str], "list_webhook_events", "GET", self._webhook_url("events")
        )

    async def get_webhook_registration(self) -> WebhookRegistration:
        return await self._call(
            WebhookRegistration, "get_webhook_registration", "GET", self._webhook_url()
        )

    async def register_webhook(self, registration: WebhookRegistration) -> WebhookRegistration:
        """Register our callback URL for the given events."""
        return await self._call(
            WebhookRegistration,
            "register_webhook",
            "POST",
            self._webhook_url(),
            body=registration,
        )

    async def update_webhook_registration(
        self, registration: WebhookRegistration
    ) -> WebhookRegistration:
        return await self._call(
            WebhookRegistration,
            "update_webhook_registration",
            "PUT",
            self._webhook_url(),
            body=registration,
        )

    async def delete_webhook_registration(self) -> None:
        await self._send("delete_webhook_registration", "DELETE", self._webhook_url())

    async def create_webhook_validation_event(self) -> ValidationEvent:
        """Ask Partner Center to post a ``test-created`` event to our URL (2 per minute)."""
        return await self._call(
            ValidationEvent,
            "create_webhook_validation_event",
            "POST",
            self._webhook_url("validationEvents"),
        )

    async def get_webhook_validation_status(self, correlation_id: str) -> ValidationEventStatus:
        return await self._call(
            ValidationEventStatus,
            "get_webhook_validation_status",
            "GET",
            self._webhook_url("validationEvents", correlation_id),
        )
