"""Acceptance records as an auditor reads them: every record of every kind in the caller's
scope, with who accepted, when, which template or version, by which route, who recorded it (and
for whom), the request sent to Partner Center and its answer, and the corrections linked both
ways. Reading them is a privileged read of evidence: each export writes an audit event."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.models import (
    AcceptanceRoute,
    AgreementAcceptance,
    AgreementKind,
    Organization,
)
from tenantry.security import Actor, organization_scope

# The CSV's columns, in order (JSON has the same names, with request/response as objects).
COLUMNS = (
    "id", "organization_id", "organization_name", "kind", "route", "tenant_id", "template_id",
    "agreement_version_id", "first_name", "last_name", "email", "phone", "date_agreed",
    "recorded_at", "recorded_by_id", "recorded_by", "on_behalf_of", "partner_center_request_id",
    "request", "response", "corrects_id", "corrected_by_ids", "attestation_request_id",
)  # fmt: skip


@dataclass(frozen=True)
class EvidenceFilter:
    organization_id: uuid.UUID | None = None
    kind: AgreementKind | None = None
    route: AcceptanceRoute | None = None
    recorded_from: datetime | None = None
    recorded_to: datetime | None = None

    def as_audit(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v is not None}


async def evidence(
    session: AsyncSession, actor: Actor, filters: EvidenceFilter
) -> list[dict[str, Any]]:
    """The records in scope that pass ``filters``, oldest first, as plain values."""
    query = (
        select(AgreementAcceptance, Organization.display_name)
        .join(Organization, Organization.id == AgreementAcceptance.organization_id)
        .where(organization_scope(actor), AgreementAcceptance.platform_id == actor.platform_id)
    )
    if filters.organization_id is not None:
        query = query.where(AgreementAcceptance.organization_id == filters.organization_id)
    if filters.kind is not None:
        query = query.where(AgreementAcceptance.kind == filters.kind)
    if filters.route is not None:
        query = query.where(AgreementAcceptance.route == filters.route)
    if filters.recorded_from is not None:
        query = query.where(AgreementAcceptance.recorded_at >= filters.recorded_from)
    if filters.recorded_to is not None:
        query = query.where(AgreementAcceptance.recorded_at < filters.recorded_to)
    query = query.order_by(AgreementAcceptance.recorded_at, AgreementAcceptance.id)
    found = (await session.execute(query)).all()
    corrected_by: dict[uuid.UUID, list[str]] = defaultdict(list)
    for row, _ in found:
        if row.corrects_id is not None:
            corrected_by[row.corrects_id].append(str(row.id))
    return [_plain(row, name, corrected_by.get(row.id, [])) for row, name in found]


def _plain(row: AgreementAcceptance, organization: str, corrected_by: list[str]) -> dict[str, Any]:
    def text(value: object) -> str | None:
        return None if value is None else str(value)

    return {
        "id": str(row.id),
        "organization_id": str(row.organization_id),
        "organization_name": organization,
        "kind": row.kind.value,
        "route": row.route.value,
        "tenant_id": text(row.tenant_id),
        "template_id": row.template_id,
        "agreement_version_id": text(row.agreement_version_id),
        "first_name": row.first_name,
        "last_name": row.last_name,
        "email": row.email,
        "phone": row.phone,
        "date_agreed": row.date_agreed.isoformat(),
        "recorded_at": row.recorded_at.isoformat(),
        "recorded_by_id": text(row.recorded_by_id),
        "recorded_by": row.recorded_by_label,
        "on_behalf_of": row.on_behalf_of_label,
        "partner_center_request_id": row.partner_center_request_id,
        "request": row.request,
        "response": row.response,
        "corrects_id": text(row.corrects_id),
        "corrected_by_ids": corrected_by,
        "attestation_request_id": text(row.attestation_request_id),
    }


def csv_cells(item: dict[str, Any]) -> list[str]:
    """One record as CSV cells: objects as compact JSON, lists space-separated."""
    cells: list[str] = []
    for column in COLUMNS:
        value = item[column]
        if isinstance(value, dict):
            cells.append(json.dumps(value, sort_keys=True, separators=(",", ":")))
        elif isinstance(value, list):
            cells.append(" ".join(value))
        else:
            cells.append("" if value is None else str(value))
    return cells


async def audit_export(
    session: AsyncSession, actor: Actor, filters: EvidenceFilter, *, count: int, fmt: str
) -> None:
    await record(
        session, actor, action="agreements.evidence_exported",
        target_type="agreement_acceptances", target_id=filters.organization_id,
        organization_id=filters.organization_id,
        changes={"filters": filters.as_audit(), "records": count, "format": fmt},
    )  # fmt: skip
