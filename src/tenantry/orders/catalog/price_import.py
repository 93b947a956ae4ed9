"""Importing a price list from CSV.

Two layouts are read, told apart by their header (names matched ignoring case, spaces and
underscores):

- Microsoft's new-commerce license price list as Partner Center gives it: ``ProductId``,
  ``SkuId``, ``TermDuration``, ``BillingPlan``, ``Currency``, ``UnitPrice`` (the partner's cost)
  and ``ERP Price`` (the list price); ``Segment`` and ``EffectiveStartDate`` /
  ``EffectiveEndDate`` when present. Its other columns are ignored.
- Tenantry's own: ``offer_id`` (product:sku), ``term``, ``billing_cycle``, ``currency``,
  ``list_price`` and optionally ``cost`` (what the price list page exports).

Rows Tenantry does not sell from are skipped and counted by reason: another segment than
commercial, a term or billing cycle not sold here (triennial billing, one-time), a currency the
platform does not allow, a price not in effect today. A row that cannot be read (a price that
is not a number, no offer) refuses the whole file with the lines to fix: nothing is imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import FieldError, ValidationFailed, invalid
from tenantry.models import utcnow
from tenantry.orders.catalog import prices, terms
from tenantry.orders.catalog.pricing import allowed_currencies
from tenantry.orders.catalog.schemas import PriceSet
from tenantry.security import Actor, Permission, require

MAX_ROW_ERRORS = 20
MAX_PRICE = Decimal("9999999999")
# Header names (folded) of each column, Tenantry's first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "offer_id": ("offerid",),
    "product_id": ("productid",),
    "sku_id": ("skuid",),
    "term": ("term", "termduration"),
    "billing_cycle": ("billingcycle", "billingplan", "billingfrequency"),
    "currency": ("currency", "currencycode"),
    "list_price": ("listprice", "erpprice"),
    "cost": ("cost", "unitprice"),
    "segment": ("segment",),
    "starts": ("effectivestartdate",),
    "ends": ("effectiveenddate",),
}
SOLD_SEGMENT = "commercial"
OFFER = re.compile(r"^[A-Za-z0-9]{1,32}$")


def _fold(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).lower()


@dataclass
class ImportReport:
    rows: int = 0
    entries: dict[tuple[str, str, str, str], PriceSet] = field(default_factory=dict)
    skipped: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)

    def skip(self, reason: str, line: int) -> None:
        self.skipped[reason].append(line)

    def fail(self, line: int, message: str) -> None:
        self.errors.append(f"line {line}: {message}")


def _columns(header: list[str]) -> dict[str, int]:
    folded = [_fold(name) for name in header]
    found: dict[str, int] = {}
    for column, names in COLUMNS.items():
        for name in names:
            if name in folded:
                found[column] = folded.index(name)
                break
    has_offer = "offer_id" in found or {"product_id", "sku_id"} <= found.keys()
    missing = [c for c in ("term", "billing_cycle", "currency", "list_price") if c not in found]
    if not has_offer:
        missing.insert(0, "offer_id (or ProductId and SkuId)")
    if missing:
        raise invalid(
            "csv", "columns", f"the first line names the columns; missing: {', '.join(missing)}"
        )
    return found


def _date(text: str) -> date | None:
    text = text.strip()
    for pattern, size in (("%Y-%m-%d", 10), ("%m/%d/%Y", None)):
        try:
            return datetime.strptime(text[:size] if size else text.split()[0], pattern).date()
        except (ValueError, IndexError):
            continue
    return None


def _money(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        return None
    return value.quantize(Decimal("0.0001"))


def _row(report: ImportReport, line: int, cells: dict[str, str], allowed: list[str] | None) -> None:
    segment = cells.get("segment", "").strip().lower()
    if segment and segment != SOLD_SEGMENT:
        return report.skip(f"segment {segment} (only commercial is sold)", line)
    today = utcnow().date()
    starts, ends = _date(cells.get("starts", "")), _date(cells.get("ends", ""))
    if (starts and starts > today) or (ends and ends < today):
        return report.skip("not in effect today", line)
    term, cycle = terms.term_of(cells["term"]), terms.cycle_of(cells["billing_cycle"])
    if term is None or cycle is None:
        plan = f"{cells['term'].strip()} {cells['billing_cycle'].strip()}".strip()
        return report.skip(f"term or billing not sold here ({plan or 'empty'})", line)
    currency = cells["currency"].strip().upper()
    if allowed is not None and currency not in allowed:
        return report.skip(f"currency {currency or 'empty'} not allowed", line)
    if "offer_id" in cells:
        product_id, _, sku_id = cells["offer_id"].strip().partition(":")
    else:
        product_id, sku_id = cells["product_id"].strip(), cells["sku_id"].strip()
    list_price, cost_text = _money(cells["list_price"]), cells.get("cost", "").strip()
    cost = _money(cost_text) if cost_text else None
    if not (OFFER.match(product_id) and OFFER.match(sku_id)):
        return report.fail(line, "the offer is not a Partner Center product and SKU id")
    if list_price is None or (cost_text and cost is None):
        return report.fail(line, "a price is not a number of 0 or more")
    offer_id = f"{product_id.upper()}:{sku_id.upper()}"
    # A later row for the same price wins (a file may repeat one with a new value).
    try:
        entry = PriceSet.model_validate(
            {
                "offer_id": offer_id, "term": term, "billing_cycle": cycle,
                "currency": currency, "list_price": list_price, "cost": cost,
            },
            strict=False,
        )  # fmt: skip
    except ValidationError:
        return report.fail(line, "the currency is not an ISO 4217 code")
    report.entries[(offer_id, term, cycle, currency)] = entry
    return None


def read(text: str, allowed: list[str] | None) -> ImportReport:
    """Parse the file into prices (422 naming ``csv`` when a row cannot be read)."""
    sample = text.lstrip("\ufeff")
    try:
        dialect: type[csv.Dialect] = csv.Sniffer().sniff(sample[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(io.StringIO(sample), dialect)
    header = next(rows, None)
    if not header:
        raise invalid("csv", "columns", "the file is empty")
    columns = _columns(header)
    report = ImportReport()
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        report.rows += 1
        if len(row) <= max(columns.values()):
            report.fail(line, f"it has {len(row)} cells, fewer than the header's columns")
            continue
        _row(report, line, {name: row[index] for name, index in columns.items()}, allowed)
    if report.errors:
        shown = report.errors[:MAX_ROW_ERRORS]
        more = len(report.errors) - len(shown)
        tail = f" (and {more} more)" if more else ""
        raise ValidationFailed(
            [FieldError("csv", "row", "; ".join(shown) + tail)],
            detail=f"csv: {len(report.errors)} rows cannot be read; nothing was imported",
        )
    return report


async def import_prices(
    session: AsyncSession, actor: Actor, text: str
) -> tuple[prices.PriceChanges, ImportReport, list[str]]:
    """Import a CSV price list: (what changed, the report, the offers the catalog lacks)."""
    require(actor, Permission.CATALOG_MANAGE)
    report = read(text, await allowed_currencies(session, actor.platform_id))
    entries = list(report.entries.values())
    changes = await prices.set_prices(session, actor, entries, source="csv import")
    missing = await prices.unlisted_offers(
        session, actor.platform_id, {entry.offer_id for entry in entries}
    )
    return changes, report, missing
