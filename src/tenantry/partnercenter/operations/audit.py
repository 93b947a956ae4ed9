"""Audit records: the partner's activity log, seek-paged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

from tenantry.partnercenter.core import ClientCore, encode_filter
from tenantry.partnercenter.models.audit import AuditRecord, AuditRecordPage
from tenantry.partnercenter.operations.customers import DEFAULT_PAGE_SIZE
from tenantry.partnercenter.pipeline import QueryParams


def _audit_query(
    start: date,
    end: date | None,
    size: int,
    filter_field: str | None,
    filter_value: str | None,
) -> QueryParams:
    params: dict[str, str | int] = {"size": size, "startDate": start.isoformat()}
    if end is not None:
        params["endDate"] = end.isoformat()
    if filter_field and filter_value is not None:
        params["filter"] = encode_filter(filter_field, filter_value, "substring")
    return params


class AuditOperations(ClientCore):
    async def list_audit_records_page(
        self,
        start: date,
        end: date | None = None,
        *,
        size: int = DEFAULT_PAGE_SIZE,
        filter_field: str | None = None,
        filter_value: str | None = None,
        continuation_token: str | None = None,
    ) -> AuditRecordPage:
        """One page of audit records (``start``/``end`` are dates or datetimes, ISO 8601)."""
        return await self._seek_page(
            AuditRecord,
            "list_audit_records",
            self._pc_url("auditrecords"),
            params=_audit_query(start, end, size, filter_field, filter_value),
            continuation_token=continuation_token,
        )

    def iter_audit_records(
        self,
        start: date,
        end: date | None = None,
        *,
        size: int = DEFAULT_PAGE_SIZE,
        filter_field: str | None = None,
        filter_value: str | None = None,
    ) -> AsyncIterator[AuditRecord]:
        """Every audit record of the period (``operation_type == "add_customer"`` reveals
        customers created outside Tenantry)."""
        return self._iter_seek(
            AuditRecord,
            "list_audit_records",
            self._pc_url("auditrecords"),
            params=_audit_query(start, end, size, filter_field, filter_value),
        )
