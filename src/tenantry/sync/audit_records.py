"""Reading Partner Center's audit records for what a sync must look at again.

Partner Center has no "customer created" event; its audit log has ``add_customer``, billing and
company profile updates, relationship changes and subscription operations. Operation names are
compared folded (case, ``_`` and ``-`` ignored), so ``AddCustomer`` and ``add_customer`` match.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from tenantry.partnercenter import PartnerCenterClient
from tenantry.partnercenter.models.audit import AuditRecord


def _fold(text: str | None) -> str:
    return (text or "").replace("_", "").replace("-", "").replace(" ", "").lower()


@dataclass
class Delta:
    """Customers (tenant ids as text) the records name, by what happened to them."""

    added: set[str] = field(default_factory=set)
    profiles: set[str] = field(default_factory=set)
    relationships: set[str] = field(default_factory=set)
    subscriptions: set[str] = field(default_factory=set)
    until: datetime | None = None

    @property
    def customers(self) -> set[str]:
        return self.added | self.profiles | self.relationships | self.subscriptions

    def take(self, record: AuditRecord) -> None:
        if record.operation_date and (self.until is None or record.operation_date > self.until):
            self.until = record.operation_date
        if not record.customer_id:
            return
        try:
            tenant = str(uuid.UUID(record.customer_id))
        except ValueError:
            return
        operation = _fold(record.operation_type)
        resource = _fold(record.resource_type)
        if operation == "addcustomer":
            self.added.add(tenant)
        elif "relationship" in operation or "relationship" in resource:
            self.relationships.add(tenant)
        elif (
            "profile" in operation
            or "profile" in resource
            or operation.startswith("updatecustomer")
        ):
            self.profiles.add(tenant)
        elif any(word in operation or word in resource for word in ("subscription", "order")):
            self.subscriptions.add(tenant)


async def read(
    client: PartnerCenterClient, since: datetime, *, count: Callable[[], None] | None = None
) -> Delta:
    """Every audit record after ``since`` (the service takes dates: earlier ones are dropped);
    ``count`` is called once per request."""
    delta = Delta()
    token: str | None = None
    seen: set[str] = set()
    while True:
        if count is not None:
            count()
        page = await client.list_audit_records_page(since.date(), continuation_token=token)
        for record in page.items:
            if record.operation_date is None or record.operation_date > since:
                delta.take(record)
        token = page.next_continuation_token() if page.items else None
        if not token or token in seen:
            return delta
        seen.add(token)
