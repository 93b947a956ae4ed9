"""HTTP API: the acceptance evidence (JSON or CSV) and the compliance view.

Formats: JSON unless ``?format=csv``, or an ``Accept`` header naming ``text/csv`` (docs/agreements.md).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import AwareDatetime
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements.compliance import evidence_export, overview, views
from tenantry.agreements.compliance.evidence_export import EvidenceFilter
from tenantry.agreements.compliance.overview import ComplianceFilter
from tenantry.agreements.compliance.schemas import AcceptanceRecords, ComplianceView
from tenantry.agreements.compliance.tabular import ExportFormat, csv_response, wanted
from tenantry.deps import AppSettings, CurrentActor, WritingDbSession
from tenantry.errors import Forbidden
from tenantry.models import AcceptanceRoute, AgreementKind, MicrosoftAgreementState
from tenantry.organizations import repository as organizations
from tenantry.problems import API_ERRORS
from tenantry.security import Actor, Permission, require

router = APIRouter(prefix="/api/v1", tags=["agreements"], responses=API_ERRORS)
CSV_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "JSON, or CSV when asked"}
}
Format = Annotated[ExportFormat | None, Query(alias="format")]


async def _export(
    request: Request, session: AsyncSession, actor: Actor, filters: EvidenceFilter,
    given: ExportFormat | None,
) -> AcceptanceRecords | Response:  # fmt: skip
    fmt = wanted(request, given)
    items = await evidence_export.evidence(session, actor, filters)
    await evidence_export.audit_export(session, actor, filters, count=len(items), fmt=fmt.value)
    if fmt is ExportFormat.CSV:
        rows = (evidence_export.csv_cells(item) for item in items)
        return csv_response(evidence_export.COLUMNS, rows, "agreement-acceptances.csv")
    return AcceptanceRecords.model_validate({"items": items})


def _may_export(actor: Actor) -> None:
    require(actor, Permission.AUDIT_READ, hint="an administrator of your organization exports it")


@router.get(
    "/organizations/{organization_id}/agreements/acceptances",
    summary="Every acceptance record of one organization (evidence, JSON or CSV)",
    responses=CSV_ANSWER,
    response_model=AcceptanceRecords,
)
async def organization_acceptances(
    request: Request, organization_id: uuid.UUID, session: WritingDbSession,
    actor: CurrentActor, fmt: Format = None,
) -> AcceptanceRecords | Response:  # fmt: skip
    await organizations.get(session, actor, organization_id)  # 404 outside the scope
    _may_export(actor)
    return await _export(request, session, actor, EvidenceFilter(organization_id), fmt)


@router.get(
    "/agreements/acceptances",
    summary="Every acceptance record you may see, filtered (evidence, JSON or CSV)",
    responses=CSV_ANSWER,
    response_model=AcceptanceRecords,
)
async def acceptances(
    request: Request,
    session: WritingDbSession,
    actor: CurrentActor,
    organization: uuid.UUID | None = None,
    kind: AgreementKind | None = None,
    route: AcceptanceRoute | None = None,
    recorded_from: AwareDatetime | None = None,
    recorded_to: AwareDatetime | None = None,
    fmt: Format = None,
) -> AcceptanceRecords | Response:
    _may_export(actor)
    filters = EvidenceFilter(organization, kind, route, recorded_from, recorded_to)
    return await _export(request, session, actor, filters, fmt)


def require_staff(actor: Actor) -> None:
    require(actor, Permission.ORGANIZATION_READ)
    if not overview.may_view(actor):
        raise Forbidden(
            "the compliance view is for the platform's and resellers' staff; your organization's "
            "agreements are on its page",
            permission="agreements.compliance",
        )


@router.get(
    "/agreements/compliance",
    summary="Customers in scope with their agreement status and what is at risk in 30 days",
    responses=CSV_ANSWER,
    response_model=ComplianceView,
)
async def compliance(
    request: Request,
    session: WritingDbSession,
    actor: CurrentActor,
    settings: AppSettings,
    state: MicrosoftAgreementState | None = None,
    reseller: uuid.UUID | None = None,
    at_risk: bool = False,
    q: str | None = Query(default=None, max_length=100),
    limit: int = Query(default=1000, ge=1, le=overview.MAX_ROWS),
    fmt: Format = None,
) -> ComplianceView | Response:
    require_staff(actor)
    filters = ComplianceFilter(state, reseller, at_risk, (q or "").strip() or None)
    rows, truncated = await overview.compliance_rows(session, actor, filters, limit=limit)
    if wanted(request, fmt) is ExportFormat.CSV:
        lines = (views.csv_row(row, settings.base_url) for row in rows)
        return csv_response(views.CSV_COLUMNS, lines, "agreements-compliance.csv")
    return views.as_view(rows, truncated)
