"""The catalog's pages for platform staff: the catalog with its last refresh and "Refresh the
catalog" (/catalog), one refresh and what it changed (/catalog/refreshes/{id}), the price list
of one currency with its CSV import and export (/catalog/prices), and the markups
(/catalog/markups)."""

from __future__ import annotations

import csv
import io
import uuid
from decimal import Decimal, InvalidOperation

from fastapi import Request, Response
from starlette.datastructures import FormData, UploadFile

from tenantry.deps import DbSession
from tenantry.errors import FieldError, ValidationFailed
from tenantry.models import Organization
from tenantry.orders.catalog import markups, overview, price_import, prices, terms
from tenantry.orders.catalog.pricing import allowed_currencies
from tenantry.orders.catalog.refresh import refresh_now
from tenantry.orders.catalog.schemas import MarkupsReplacement, PriceSet
from tenantry.security import Actor, Permission, require
from tenantry.web.forms import errors_by_field, problem_of, text, validate
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
PATH = "/catalog"
DONE = {
    "queued": "Refresh queued: it reads Partner Center in a moment; this page shows it when done.",
    "joined": "A refresh was already under way: yours joins it.",
    "prices": "Prices saved.",
    "markups": "Markups saved.",
}
MAX_UPLOAD = 5_000_000


def _done(request: Request) -> str | None:
    return DONE.get(request.query_params.get("done", ""))


@router.get(PATH)
async def catalog_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, Permission.CATALOG_MANAGE)
    context = {
        "section": "catalog",
        "products": await overview.catalog(session, actor),
        "refreshes": await overview.refreshes(session, actor, 10),
        "last_success": await overview.last_success(session, actor),
        "plan_label": terms.plan_label,
        "done": _done(request),
        "message": request.query_params.get("error"),
    }
    return render(request, "catalog/index.html", context)


@router.post(f"{PATH}/refresh")
async def refresh_catalog(session: DbSession, actor: PageActor) -> Response:
    _, joined = await refresh_now(session, actor)
    return redirect(f"{PATH}?done={'joined' if joined else 'queued'}")


@router.get(f"{PATH}/refreshes/{{refresh_id}}")
async def refresh_page(
    refresh_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    found = await overview.refresh(session, actor, refresh_id)
    return render(request, "catalog/refresh.html", {"section": "catalog", "refresh": found})


# --------------------------------------------------------------------------------- prices


async def _currencies(session: DbSession, actor: Actor) -> list[str]:
    platform = await session.get(Organization, actor.platform_id)
    fallback = [platform.preferred_currency] if platform else []
    return await allowed_currencies(session, actor.platform_id) or fallback


def _field(kind: str, offer_id: str, term: str, cycle: str) -> str:
    return f"{kind}:{offer_id}:{term}:{cycle}"


async def _price_rows(session: DbSession, actor: Actor, currency: str) -> list[dict[str, object]]:
    """One row per sold plan of every SKU customers can buy, with its price in ``currency``."""
    stored = {
        (p.offer_id, p.term, p.billing_cycle): p
        for p in await prices.list_prices(session, actor, currency=currency)
    }
    rows: list[dict[str, object]] = []
    for view in await overview.catalog(session, actor):
        for sku in view.skus:
            if not sku.offered_to_customers:
                continue
            for plan in sku.terms:
                if not plan.sold:
                    continue
                price = stored.get((sku.offer_id, plan.term, plan.billing_cycle))
                rows.append(
                    {
                        "title": sku.sku.title, "offer_id": sku.offer_id,
                        "plan": terms.plan_label(plan.term, plan.billing_cycle),
                        "list": _field("list", sku.offer_id, plan.term, plan.billing_cycle),
                        "cost": _field("cost", sku.offer_id, plan.term, plan.billing_cycle),
                        "list_price": prices.money(price.list_price if price else None),
                        "cost_price": prices.money(price.cost if price else None),
                    }
                )  # fmt: skip
    return rows


async def _prices_page(
    request: Request, session: DbSession, actor: Actor, *, currency: str | None = None,
    errors: dict[str, str] | None = None, message: str | None = None,
    values: dict[str, str] | None = None, report: price_import.ImportReport | None = None,
    status_code: int = 200,
) -> Response:  # fmt: skip
    require(actor, Permission.CATALOG_MANAGE)
    currencies = await _currencies(session, actor)
    chosen = currency or request.query_params.get("currency") or currencies[0]
    chosen = chosen.upper() if chosen.upper() in currencies else currencies[0]
    rows = await _price_rows(session, actor, chosen)
    for row in rows:
        for kind, shown in (("list", "list_price"), ("cost", "cost_price")):
            if values and str(row[kind]) in values:
                row[shown] = values[str(row[kind])]
    context = {
        "section": "catalog", "currency": chosen, "currencies": currencies, "rows": rows,
        "errors": errors or {}, "message": message, "done": _done(request), "report": report,
    }  # fmt: skip
    return render(request, "catalog/prices.html", context, status_code=status_code)


@router.get(f"{PATH}/prices")
async def prices_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    return await _prices_page(request, session, actor)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 99


def _money(raw: str, name: str, errors: list[FieldError]) -> Decimal | None:
    if not raw:
        return None
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0 or _places(value) > 4:
        errors.append(FieldError(name, "money", "enter a price of 0 or more, like 12.50"))
        return None
    return value


def _entries(form: FormData, currency: str) -> tuple[list[PriceSet], dict[str, str]]:
    """The prices typed on the page (an empty list price removes one); 422 beside bad ones."""
    errors: list[FieldError] = []
    entries, values = [], {}
    for name in form:
        if not name.startswith("list:"):
            continue
        parts = name.split(":")
        if len(parts) != 5:
            continue  # not a field this page wrote
        _, product_id, sku_id, term, cycle = parts
        offer_id = f"{product_id}:{sku_id}"
        cost_name = _field("cost", offer_id, term, cycle)
        raw_list, raw_cost = text(form, name), text(form, cost_name)
        values[name], values[cost_name] = raw_list, raw_cost
        list_price, cost = _money(raw_list, name, errors), _money(raw_cost, cost_name, errors)
        if raw_cost and not raw_list:
            errors.append(FieldError(name, "required", "a cost needs a list price"))
        if term in terms.TERMS and cycle in terms.BILLING_CYCLES:
            entries.append(
                validate(
                    PriceSet,
                    {
                        "offer_id": offer_id, "term": term, "billing_cycle": cycle,
                        "currency": currency, "list_price": list_price, "cost": cost,
                    },
                )
            )  # fmt: skip
    if errors:
        raise ValidationFailed(errors)
    return entries, values


@router.post(f"{PATH}/prices")
async def save_prices(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, Permission.CATALOG_MANAGE)
    form = await request.form()
    currency = text(form, "currency").upper()
    if currency not in await _currencies(session, actor):
        return redirect(f"{PATH}/prices")
    values = {k: text(form, k) for k in form if k.startswith(("list:", "cost:"))}
    try:
        entries, _ = _entries(form, currency)
        async with session.begin_nested():
            await prices.set_prices(session, actor, entries, source="price list page")
    except ValidationFailed as exc:
        errors, message = problem_of(exc)
        return await _prices_page(
            request, session, actor, currency=currency, errors=errors, message=message,
            values=values, status_code=422,
        )  # fmt: skip
    return redirect(f"{PATH}/prices?currency={currency}&done=prices")


@router.post(f"{PATH}/prices/import")
async def import_prices(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, Permission.CATALOG_MANAGE)
    form = await request.form()
    upload = form.get("file")
    content = text(form, "csv")
    if isinstance(upload, UploadFile) and upload.filename:
        content = (await upload.read(MAX_UPLOAD + 1)).decode("utf-8-sig", errors="replace")
    try:
        if not content.strip():
            raise ValidationFailed([FieldError("csv", "required", "choose a file or paste CSV")])
        if len(content) > MAX_UPLOAD:
            raise ValidationFailed([FieldError("csv", "size", "the file is over 5 MB")])
        async with session.begin_nested():
            changes, report, missing = await price_import.import_prices(session, actor, content)
    except ValidationFailed as exc:
        return await _prices_page(
            request, session, actor, errors=errors_by_field(exc.errors), message=exc.detail,
            status_code=422,
        )  # fmt: skip
    summary = (
        f"Imported {report.rows} rows: {changes.created} prices added, {changes.changed} "
        f"changed, {changes.unchanged} unchanged."
        + (f" Not in the catalog (yet): {', '.join(missing[:10])}." if missing else "")
    )
    return await _prices_page(request, session, actor, message=summary, report=report)


@router.get(f"{PATH}/prices.csv")
async def export_prices(session: DbSession, actor: PageActor) -> Response:
    """The price list in Tenantry's columns, as the import reads it back."""
    rows = await prices.list_prices(session, actor)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["offer_id", "term", "billing_cycle", "currency", "list_price", "cost"])
    for row in rows:
        writer.writerow(
            [row.offer_id, row.term, row.billing_cycle, row.currency,
             prices.money(row.list_price), prices.money(row.cost)]
        )  # fmt: skip
    return Response(
        out.getvalue(), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="price-list.csv"'},
    )  # fmt: skip


# -------------------------------------------------------------------------------- markups


async def _markups_page(
    request: Request, session: DbSession, actor: Actor, *, errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    found = await markups.markups(session, actor)
    shown = {
        f"{kind}:{row.subject_id}": "" if row.percent is None else f"{row.percent:f}"
        for kind, rows in (("segment", found.segments), ("reseller", found.resellers))
        for row in rows
    } | (values or {})
    context = {
        "section": "catalog", "markups": found, "values": shown, "errors": errors or {},
        "done": _done(request),
    }  # fmt: skip
    return render(request, "catalog/markups.html", context, status_code=status_code)


@router.get(f"{PATH}/markups")
async def markups_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    return await _markups_page(request, session, actor)


@router.post(f"{PATH}/markups")
async def save_markups(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, Permission.CATALOG_MANAGE)
    form = await request.form()
    values = {k: text(form, k) for k in form if k.startswith(("segment:", "reseller:"))}
    errors: list[FieldError] = []
    wanted: dict[str, list[dict[str, object]]] = {"segments": [], "resellers": []}
    for name, raw in values.items():
        kind, _, subject = name.partition(":")
        if not raw:
            continue
        try:
            percent = Decimal(raw.replace(",", ".").rstrip("%").strip())
            valid = percent.is_finite() and -100 < percent <= 1000
        except InvalidOperation:
            valid = False
        if not valid or _places(percent) > 2:
            errors.append(FieldError(name, "percent", "enter a percentage above -100, like 7.5"))
            continue
        key = "segment_id" if kind == "segment" else "organization_id"
        wanted[f"{kind}s"].append({key: subject, "percent": str(percent)})
    try:
        if errors:
            raise ValidationFailed(errors)
        data = validate(MarkupsReplacement, wanted)
        async with session.begin_nested():
            await markups.replace_markups(session, actor, data)
    except ValidationFailed as exc:
        return await _markups_page(
            request, session, actor, errors=errors_by_field(exc.errors), values=values,
            status_code=422,
        )  # fmt: skip
    return redirect(f"{PATH}/markups?done=markups")
