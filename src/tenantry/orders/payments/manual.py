"""The invoice / manual provider: the customer pays the seller the way they agreed (an invoice,
a bank transfer), and the seller's staff mark the order paid with a reference."""

from __future__ import annotations

from collections.abc import Mapping

from tenantry.models import Order, Organization
from tenantry.orders.payments.base import InvalidNotice, PaymentNotice, PaymentStep


class ManualPayments:
    name = "manual"
    title = "Invoice"
    staff_mark_paid = True
    customer_starts = False

    def instructions(self, order: Order, seller: Organization) -> str:
        amount = f"{order.currency} {order.total}"
        return (
            f"{seller.display_name} invoices this order ({amount} for the first billing "
            f"period). Pay it as the invoice says, or ask {seller.display_name} at "
            f"{seller.contact_email}; once "
            f"{seller.display_name} has received the payment, its staff mark the order paid."
        )

    def page_origins(self) -> tuple[str, ...]:
        return ()

    async def start(self, order: Order, *, return_url: str) -> PaymentStep:
        raise NotImplementedError("the manual provider is paid by invoice, not started online")

    def notice(self, headers: Mapping[str, str], body: bytes) -> PaymentNotice:
        raise InvalidNotice("the manual provider takes no webhooks")
