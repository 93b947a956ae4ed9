"""Appending audit records: every write of the commerce routes calls a ``Recorder``.

Partner Center stores ``resourceNewValue``/``resourceOldValue`` as JSON strings of the resource
serialised the .NET way (PascalCase names), and ``customizedData`` as key/value pairs naming the
operation's particulars (``OrderId``, ``OfferId-0``, ``Quantity-0``...); the same is done here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox.store.audit_records import AuditRecord
from tenantry_sandbox.store.customers import Customer
from tenantry_sandbox.tokens import Caller


def _pascal(value: Any) -> Any:
    if isinstance(value, dict):
        return {(k[:1].upper() + k[1:]): _pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pascal(item) for item in value]
    return value


def resource_json(resource: BaseModel | None) -> str | None:
    """A resource as the audit log keeps it: compact JSON with PascalCase names."""
    if resource is None:
        return None
    body = resource.model_dump(mode="json", by_alias=True, exclude_none=True)
    return json.dumps(_pascal(body), separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Recorder:
    """What the audit records of one write share: its session, caller, customer and time.

    ``await Recorder(session, caller, customer, now)("cart", "create_cart", {"CartId": ...},
    new_value=answer)`` appends one record.
    """

    session: AsyncSession
    caller: Caller
    customer: Customer | None
    now: datetime

    async def __call__(
        self,
        resource_type: str,
        operation_type: str,
        data: Mapping[str, object | None],
        *,
        new_value: BaseModel | None = None,
        old_value: BaseModel | None = None,
    ) -> None:
        caller, customer = self.caller, self.customer
        self.session.add(
            AuditRecord(
                partner_tenant_id=caller.tenant_id,
                customer_id=customer.id if customer else None,
                customer_name=customer.company_name if customer else None,
                customer_name_lc=customer.company_name.lower() if customer else None,
                user_principal_name=caller.user_principal_name,
                application_id=caller.app_id,
                resource_type=resource_type,
                operation_type=operation_type,
                operation_status="succeeded",
                operation_date=self.now,
                resource_old_value=resource_json(old_value),
                resource_new_value=resource_json(new_value),
                customized_data=[
                    {"key": key, "value": None if value is None else str(value)}
                    for key, value in data.items()
                ],
            )
        )
        await self.session.flush()
