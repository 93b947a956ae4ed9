"""The compliance view's rows as the API, the page and the CSV show them (one place)."""

from __future__ import annotations

from collections.abc import Sequence

from tenantry.agreements.compliance.overview import RISK_DAYS, ComplianceRow
from tenantry.agreements.compliance.schemas import (
    ComplianceCustomer,
    ComplianceView,
    MissingAgreementRead,
    RenewalRead,
)

STATE_LABELS = {
    "accepted": "Accepted",
    "direct_signed": "Signed in the admin center",
    "missing": "Missing",
    "unknown": "Not known yet",
}
ROUTE_LABELS = {
    "customer_in_product": "Accepted by the customer in Tenantry",
    "staff_attestation": "Attested by staff",
    "direct_signed": "Signed by the customer in the Microsoft 365 admin center",
    "partner_center": "Found confirmed in Partner Center",
}
CSV_COLUMNS = (
    "organization_id", "customer", "reseller", "state", "date_agreed", "route", "checked_at",
    "check_error", "other_agreements_missing", "open_orders", "renewals_within_30_days",
    "at_risk", "agreements_url",
)  # fmt: skip


def _customer(r: ComplianceRow) -> ComplianceCustomer:
    return ComplianceCustomer(
        organization_id=r.organization_id, name=r.name, reseller_id=r.reseller_id,
        reseller_name=r.reseller_name, tenant_id=r.tenant_id, state=r.state,
        date_agreed=r.date_agreed, route=r.route, checked_at=r.checked_at,
        check_error=r.check_error,
        other_missing=[MissingAgreementRead(code=m.code, message=m.message)
                       for m in r.other_missing],
        open_orders=r.open_orders,
        renewals=[RenewalRead(subscription_id=x.subscription_id, name=x.name,
                              renews_at=x.renews_at) for x in r.renewals],
        at_risk=r.at_risk, agreements_url=r.link,
    )  # fmt: skip


def as_view(rows: Sequence[ComplianceRow], truncated: bool) -> ComplianceView:
    return ComplianceView(
        items=[_customer(r) for r in rows], truncated=truncated, risk_days=RISK_DAYS
    )


def csv_row(row: ComplianceRow, base_url: str) -> list[str]:
    return [
        str(row.organization_id),
        row.name,
        row.reseller_name or "",
        row.state.value,
        row.date_agreed.date().isoformat() if row.date_agreed else "",
        row.route.value if row.route else "",
        row.checked_at.isoformat() if row.checked_at else "",
        row.check_error or "",
        "; ".join(m.message for m in row.other_missing),
        str(row.open_orders),
        "; ".join(f"{r.name} ({r.renews_at.date().isoformat()})" for r in row.renewals),
        "yes" if row.at_risk else "no",
        base_url.rstrip("/") + row.link,
    ]
