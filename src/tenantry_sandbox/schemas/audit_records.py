"""Audit record bodies (the ``AuditRecord`` resource of the activity-log page)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field, model_serializer

from tenantry_sandbox.resources import Attributes, ResponseModel, attributes
from tenantry_sandbox.store.audit_records import AuditRecord


class CustomizedData(ResponseModel):
    key: str
    value: str | None = None

    @model_serializer
    def _with_null(self) -> dict[str, str | None]:
        """Kept when null (``"PartnerOnRecord-0": null`` in the documented record), although
        responses otherwise leave null members out."""
        return {"key": self.key, "value": self.value}


class AuditRecordOut(ResponseModel):
    partner_id: uuid.UUID
    customer_id: uuid.UUID | None = None
    customer_name: str | None = None
    user_principal_name: str | None = None
    application_id: str | None = None
    resource_type: str
    resource_new_value: str | None = None
    resource_old_value: str | None = None
    operation_type: str
    operation_date: datetime
    operation_status: str
    customized_data: list[CustomizedData]
    attributes: Attributes = Field(default_factory=lambda: attributes("AuditRecord"))


def audit_record_out(row: AuditRecord) -> AuditRecordOut:
    return AuditRecordOut(
        partner_id=row.partner_tenant_id,
        customer_id=row.customer_id,
        customer_name=row.customer_name,
        user_principal_name=row.user_principal_name,
        application_id=row.application_id,
        resource_type=row.resource_type,
        resource_new_value=row.resource_new_value,
        resource_old_value=row.resource_old_value,
        operation_type=row.operation_type,
        operation_date=row.operation_date,
        operation_status=row.operation_status,
        customized_data=[CustomizedData(**pair) for pair in row.customized_data],
    )
