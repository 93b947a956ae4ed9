"""The partner's activity log (``/v1/auditrecords``): one row per audited operation.

Rows are appended in the same transaction as the write they describe, so a refused or failed
write leaves no record. ``seq`` orders them for seek paging; ``customer_name_lc`` and
``resource_type`` serve the documented filters.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, Index, Integer, String, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.binding import fold
from tenantry_sandbox.db import SandboxBase


class AuditRecord(SandboxBase):
    __tablename__ = "audit_records"
    __table_args__ = (
        Index("ix_audit_records_partner_date", "partner_tenant_id", "operation_date"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_tenant_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    customer_name: Mapped[str | None] = mapped_column(String(256), default=None)
    customer_name_lc: Mapped[str | None] = mapped_column(String(256), default=None)
    user_principal_name: Mapped[str | None] = mapped_column(String(256), default=None)
    application_id: Mapped[str | None] = mapped_column(String(64), default=None)
    resource_type: Mapped[str] = mapped_column(String(64))
    operation_type: Mapped[str] = mapped_column(String(64))
    operation_status: Mapped[str] = mapped_column(String(16), default="succeeded")
    operation_date: Mapped[datetime]
    resource_old_value: Mapped[str | None] = mapped_column(Text, default=None)
    resource_new_value: Mapped[str | None] = mapped_column(Text, default=None)
    # [{"key": ..., "value": ...}]
    customized_data: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


@dataclass(frozen=True)
class AuditFilter:
    """A parsed ``filter``: ``field`` folded (customername, customerid, resourcetype)."""

    field: str
    value: str
    exact: bool

    def condition(self) -> ColumnElement[bool]:
        if self.field == "customerid":
            try:
                return AuditRecord.customer_id == uuid.UUID(self.value.strip())
            except ValueError:
                return AuditRecord.seq < 0  # no customer has that id
        if self.field == "resourcetype":
            # "Subscription", "subscription" and "customer_user"/"CustomerUser" all match.
            return func.replace(AuditRecord.resource_type, "_", "") == fold(self.value)
        if self.exact:
            return AuditRecord.customer_name_lc == self.value.lower()
        return AuditRecord.customer_name_lc.contains(self.value.lower(), autoescape=True)


async def page(
    session: AsyncSession,
    partner_tenant_id: uuid.UUID,
    *,
    start: datetime,
    end: datetime,
    after: int,
    limit: int,
    audit_filter: AuditFilter | None = None,
) -> list[AuditRecord]:
    """One seek page of the partner's records in ``[start, end)``, oldest first."""
    query = (
        select(AuditRecord)
        .where(
            AuditRecord.partner_tenant_id == partner_tenant_id,
            AuditRecord.operation_date >= start,
            AuditRecord.operation_date < end,
            AuditRecord.seq > after,
        )
        .order_by(AuditRecord.seq)
        .limit(limit)
    )
    if audit_filter is not None:
        query = query.where(audit_filter.condition())
    return list((await session.execute(query)).scalars())
