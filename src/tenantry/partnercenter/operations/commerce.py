"""Carts, checkout and orders."""

from __future__ import annotations

from tenantry.partnercenter.core import ClientCore
from tenantry.partnercenter.models.commerce import (
    Cart,
    CartCheckoutResult,
    Order,
    OrderLineItemProvisioningStatus,
)


class CommerceOperations(ClientCore):
    async def create_cart(
        self, customer_id: str, cart: Cart, *, request_id: str | None = None
    ) -> Cart:
        """Create a cart (new commerce and everything new is bought through carts).

        ``request_id``: the ``MS-RequestId``, the same when the caller repeats the call after
        losing the answer (Partner Center then answers with the cart it made)."""
        return await self._call(
            Cart,
            "create_cart",
            "POST",
            self._pc_url("customers", customer_id, "carts"),
            body=cart,
            request_id=request_id,
        )

    async def get_cart(self, customer_id: str, cart_id: str) -> Cart:
        return await self._call(
            Cart, "get_cart", "GET", self._pc_url("customers", customer_id, "carts", cart_id)
        )

    async def update_cart(self, customer_id: str, cart: Cart) -> Cart:
        if not cart.id:
            raise ValueError("update_cart needs a cart read from Partner Center (with its id)")
        return await self._call(
            Cart,
            "update_cart",
            "PUT",
            self._pc_url("customers", customer_id, "carts", cart.id),
            body=cart,
        )

    async def checkout_cart(
        self, customer_id: str, cart_id: str, *, request_id: str | None = None
    ) -> CartCheckoutResult:
        """Submit the cart; the result lists the orders created and the order groups that
        failed. Retried with the same ``MS-RequestId``, so a lost answer does not buy twice;
        pass ``request_id`` to keep it across processes (a worker killed mid-call)."""
        return await self._call(
            CartCheckoutResult,
            "checkout_cart",
            "POST",
            self._pc_url("customers", customer_id, "carts", cart_id, "checkout"),
            request_id=request_id,
        )

    async def create_order(self, customer_id: str, order: Order) -> Order:
        """Place an order for legacy offers (new commerce goes through carts)."""
        return await self._call(
            Order,
            "create_order",
            "POST",
            self._pc_url("customers", customer_id, "orders"),
            body=order,
        )

    async def get_order(self, customer_id: str, order_id: str) -> Order:
        return await self._call(
            Order, "get_order", "GET", self._pc_url("customers", customer_id, "orders", order_id)
        )

    async def list_orders(self, customer_id: str) -> list[Order]:
        return await self._items(
            Order, "list_orders", self._pc_url("customers", customer_id, "orders")
        )

    async def get_order_provisioning_status(
        self, customer_id: str, order_id: str
    ) -> list[OrderLineItemProvisioningStatus]:
        """Provisioning progress per order line (subscriptions appear when ``fulfilled``)."""
        return await self._items(
            OrderLineItemProvisioningStatus,
            "get_order_provisioning_status",
            self._pc_url("customers", customer_id, "orders", order_id, "provisioningstatus"),
        )
