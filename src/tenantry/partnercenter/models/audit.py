"""Audit records: the partner's activity log (also how new customers are detected)."""

from __future__ import annotations

from pydantic import Field

from tenantry.partnercenter.models.base import (
    KeyValuePair,
    Resource,
    SeekResourceCollection,
    Timestamp,
)


class AuditRecord(Resource):
    """One audited operation; ``resource_new_value`` holds the resource as a JSON string."""

    id: str | None = None
    partner_id: str | None = None
    customer_id: str | None = None
    customer_name: str | None = None
    user_principal_name: str | None = None
    application_id: str | None = None
    resource_type: str | None = None
    resource_new_value: str | None = None
    resource_old_value: str | None = None
    operation_type: str | None = None
    operation_status: str | None = None
    operation_date: Timestamp = None
    session_id: str | None = None
    original_correlation_id: str | None = None
    customized_data: list[KeyValuePair] = Field(default_factory=list)


AuditRecordPage = SeekResourceCollection[AuditRecord]
