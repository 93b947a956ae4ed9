"""CSV answers of the compliance package, and how a caller asks for them.

``?format=csv`` asks for CSV, ``?format=json`` for JSON; without ``format``, an ``Accept``
header that names ``text/csv`` (and not JSON before it) gets CSV. JSON is the default.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import Iterable, Sequence

from fastapi import Request, Response


class ExportFormat(enum.StrEnum):
    JSON = "json"
    CSV = "csv"


def wanted(request: Request, given: ExportFormat | None) -> ExportFormat:
    if given is not None:
        return given
    accept = request.headers.get("accept", "").lower()
    if "text/csv" in accept:
        json_at = accept.find("application/json")
        if json_at == -1 or accept.find("text/csv") < json_at:
            return ExportFormat.CSV
    return ExportFormat.JSON


def csv_response(header: Sequence[str], rows: Iterable[Sequence[str]], filename: str) -> Response:
    """A CSV download (UTF-8 with a byte-order mark, so spreadsheet programs read the accents).

    Cells a spreadsheet would run as a formula (starting with ``= @``, a tab, or ``+ -`` not
    followed by a plain number such as a phone number) get an apostrophe first (CSV
    injection)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
    return Response(
        content="\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


_NUMBER = re.compile(r"[+-][0-9 .]*")


def _safe(cell: str) -> str:
    risky = cell[:1] in ("=", "@", "\t", "\r") or (
        cell[:1] in ("+", "-") and not _NUMBER.fullmatch(cell)
    )
    return "'" + cell if risky else cell
