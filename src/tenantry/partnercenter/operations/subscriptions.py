"""Subscriptions, legacy trial conversions and new-commerce transitions."""

from __future__ import annotations

from tenantry.partnercenter.core import APP_USER, ClientCore
from tenantry.partnercenter.models.subscriptions import (
    Conversion,
    ConversionResult,
    Subscription,
    Transition,
    TransitionEligibility,
)
from tenantry.partnercenter.pipeline import QueryParams


class SubscriptionOperations(ClientCore):
    def _subscription_url(self, customer_id: str, subscription_id: str, *rest: str) -> str:
        return self._pc_url("customers", customer_id, "subscriptions", subscription_id, *rest)

    async def list_subscriptions(self, customer_id: str) -> list[Subscription]:
        return await self._items(
            Subscription,
            "list_subscriptions",
            self._pc_url("customers", customer_id, "subscriptions"),
        )

    async def list_subscriptions_by_order(
        self, customer_id: str, order_id: str
    ) -> list[Subscription]:
        return await self._items(
            Subscription,
            "list_subscriptions_by_order",
            self._pc_url("customers", customer_id, "subscriptions"),
            params={"order_id": order_id},
        )

    async def get_subscription(self, customer_id: str, subscription_id: str) -> Subscription:
        return await self._call(
            Subscription,
            "get_subscription",
            "GET",
            self._subscription_url(customer_id, subscription_id),
        )

    async def update_subscription(
        self, customer_id: str, subscription: Subscription, *, request_id: str | None = None
    ) -> Subscription:
        """PATCH the full subscription as read (quantity, status, auto-renew, friendly name).

        ``request_id`` (``MS-RequestId``) names the change: the same one sent again after a
        crash is recognised by Partner Center, which answers without applying it twice."""
        return await self._call(
            Subscription,
            "update_subscription",
            "PATCH",
            self._subscription_url(customer_id, subscription.id),
            body=subscription,
            request_id=request_id,
        )

    async def list_trial_conversions(
        self, customer_id: str, subscription_id: str
    ) -> list[Conversion]:
        """Paid offers a legacy trial can convert to (new-commerce trials use transitions)."""
        return await self._items(
            Conversion,
            "list_trial_conversions",
            self._subscription_url(customer_id, subscription_id, "conversions"),
            auth=APP_USER,
        )

    async def convert_trial(
        self, customer_id: str, subscription_id: str, conversion: Conversion
    ) -> ConversionResult:
        return await self._call(
            ConversionResult,
            "convert_trial",
            "POST",
            self._subscription_url(customer_id, subscription_id, "conversions"),
            body=conversion,
            auth=APP_USER,
        )

    async def list_transition_eligibilities(
        self, customer_id: str, subscription_id: str, *, eligibility_type: str = "immediate"
    ) -> list[TransitionEligibility]:
        return await self._items(
            TransitionEligibility,
            "list_transition_eligibilities",
            self._subscription_url(customer_id, subscription_id, "transitionEligibilities"),
            params={"eligibilityType": eligibility_type},
        )

    async def create_transition(
        self, customer_id: str, subscription_id: str, transition: Transition
    ) -> Transition:
        """Upgrade a new-commerce subscription, or convert a new-commerce trial to paid."""
        return await self._call(
            Transition,
            "create_transition",
            "POST",
            self._subscription_url(customer_id, subscription_id, "transitions"),
            body=transition,
        )

    async def list_transitions(
        self, customer_id: str, subscription_id: str, *, operation_id: str | None = None
    ) -> list[Transition]:
        params: QueryParams | None = {"operationId": operation_id} if operation_id else None
        return await self._items(
            Transition,
            "list_transitions",
            self._subscription_url(customer_id, subscription_id, "transitions"),
            params=params,
        )
