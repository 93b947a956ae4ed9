"""Appending audit records: every write of the commerce routes calls ``record``.

Partner Center stores ``resourceNewValue``/``resourceOldValue`` as JSON strings of the resource
serialised the .NET way (PascalCase names), and ``customizedData`` as key/value pairs naming the
operation's particulars (``OrderId``, ``OfferId-0``, ``Quantity-0``...); the same is done here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
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


async def record(
    session: AsyncSession,
    *,
    caller: Caller,
    now: datetime,
    customer: Customer | None,
    resource_type: str,
    operation_type: str,
    new_value: BaseModel | None = None,
    old_value: BaseModel | None = None,
    data: Mapping[str, object | None] | None = None,
) -> None:
    session.add(
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
            operation_date=now,
            resource_old_value=resource_json(old_value),
            resource_new_value=resource_json(new_value),
            customized_data=[
                {"key": key, "value": None if value is None else str(value)}
                for key, value in (data or {}).items()
            ],
        )
    )
    await session.flush()
