"""Keyset (cursor) paging: stable under inserts, and as fast on page 1,000 as on page 1."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from tenantry.errors import invalid
from tenantry.schemas import refuse_nul

T = TypeVar("T")
MAX_PAGE_SIZE = 200


def encode_cursor(sort_value: Any, row_id: uuid.UUID) -> str:
    raw = json.dumps(
        [
            sort_value if not hasattr(sort_value, "isoformat") else sort_value.isoformat(),
            str(row_id),
        ]
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, parse: Callable[[Any], Any] | None = None) -> tuple[Any, uuid.UUID]:
    """The sort value and row id in a cursor. ``parse`` turns the sort value back into its type;
    a value it refuses (a forged cursor) makes the cursor invalid, like any other garbage."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        sort_value, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        refuse_nul(sort_value)
        return (parse(sort_value) if parse else sort_value), uuid.UUID(row_id)
    except (ValueError, TypeError) as exc:
        raise invalid(
            "cursor", "cursor_format", "the cursor is not one this API handed out"
        ) from exc


def aware_datetime(value: Any) -> datetime:
    """Parses a cursor's time; a time without its zone is refused (it cannot be compared)."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("a cursor's time carries its zone")
    return parsed


def _expect(kind: type) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, kind):
            raise TypeError(f"expected {kind.__name__}")
        return value

    return check


async def keyset_page(
    session: AsyncSession,
    query: Select[T],
    *,
    sort_column: InstrumentedAttribute[Any],
    id_column: InstrumentedAttribute[uuid.UUID],
    cursor: str | None,
    limit: int,
    parse_sort_value: Any = None,
) -> tuple[Sequence[T], str | None]:
    """Return up to ``limit`` rows after ``cursor`` ordered by (sort_column, id), and the next cursor."""
    if cursor:
        after_value, after_id = decode_cursor(
            cursor, parse_sort_value or _expect(sort_column.type.python_type)
        )
        query = query.where(
            or_(sort_column > after_value, and_(sort_column == after_value, id_column > after_id))
        )
    rows = (
        (await session.execute(query.order_by(sort_column, id_column).limit(limit + 1)))
        .scalars()
        .all()
    )
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(getattr(last, sort_column.key), getattr(last, id_column.key))
