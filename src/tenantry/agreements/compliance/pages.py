"""The compliance page (``/agreements/compliance``): every customer in scope with its agreement
status, what is at risk in the next 30 days, filters, and the same list as CSV."""

from __future__ import annotations

import uuid
from typing import Literal
from urllib.parse import urlencode

from fastapi import Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from tenantry.agreements.compliance import overview, views
from tenantry.agreements.compliance.api import require_staff
from tenantry.agreements.compliance.overview import RISK_DAYS, ComplianceFilter
from tenantry.agreements.compliance.tabular import csv_response
from tenantry.deps import AppSettings, WritingDbSession
from tenantry.errors import ValidationFailed
from tenantry.models import MicrosoftAgreementState, Organization, OrganizationKind
from tenantry.security import organization_scope
from tenantry.web.forms import errors_by_field, validate
from tenantry.web.rendering import render
from tenantry.web.routing import PageActor, page_router

router = page_router()
PATH = "/agreements/compliance"
PAGE_ROWS = 500


class ComplianceQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    state: MicrosoftAgreementState | None = None
    reseller: uuid.UUID | None = None
    at_risk: bool = False
    q: str | None = Field(default=None, max_length=100)
    format: Literal["html", "csv"] = "html"


@router.get(PATH)
async def compliance_page(
    request: Request, session: WritingDbSession, actor: PageActor, settings: AppSettings
) -> Response:
    """Sellers' staff: who has accepted, who has not, and which of those is at risk."""
    require_staff(actor)
    given = {k: v.strip() for k, v in request.query_params.items() if v.strip()}
    errors: dict[str, str] = {}
    rows: list[overview.ComplianceRow] = []
    truncated = False
    query = ComplianceQuery()
    try:
        query = validate(ComplianceQuery, given)
        filters = ComplianceFilter(query.state, query.reseller, query.at_risk, query.q)
        limit = overview.MAX_ROWS if query.format == "csv" else PAGE_ROWS
        rows, truncated = await overview.compliance_rows(session, actor, filters, limit=limit)
    except ValidationFailed as exc:
        errors = errors_by_field(exc.errors)
    if query.format == "csv" and not errors:
        lines = (views.csv_row(row, settings.base_url) for row in rows)
        return csv_response(views.CSV_COLUMNS, lines, "agreements-compliance.csv")
    resellers = await session.execute(
        select(Organization.id, Organization.display_name)
        .where(organization_scope(actor), Organization.kind == OrganizationKind.RESELLER)
        .order_by(Organization.display_name)
    )
    filters_only = {k: v for k, v in given.items() if k != "format"}
    context = {
        "section": "agreements_compliance",
        "rows": rows,
        "truncated": truncated,
        "days": RISK_DAYS,
        "values": given,
        "errors": errors,
        "state_options": [("", "Any state"), *views.STATE_LABELS.items()],
        "reseller_options": [("", "Any reseller"), *((str(i), n) for i, n in resellers)],
        "state_labels": views.STATE_LABELS,
        "route_labels": views.ROUTE_LABELS,
        "at_risk_count": sum(1 for row in rows if row.at_risk),
        "csv_url": f"{PATH}?" + urlencode(filters_only | {"format": "csv"}),
    }
    return render(
        request, "agreements/compliance/list.html", context, status_code=422 if errors else 200
    )
