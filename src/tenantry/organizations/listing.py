"""One page of the organizations a caller may see, as queries an index can answer in order.

A reseller sees itself and its customers: ``id = R OR parent_id = R``. Asked as one condition,
neither database can walk an index in name order, so both read every matching row and sort them
for a page of 50. Each part of the scope is asked apart instead, in name order from its own
index and cut at the page size, and only those few rows are put in order together. Filters and
the cursor apply inside each part, so page 1,000 costs what page 1 does.

Building a statement of subqueries costs SQLAlchemy more than running it, so each shape of
query (the caller's kind, which filters are given, whether a cursor is) is built once with
bound parameters (:class:`Shape`), and a request only supplies the values.

The API's list reads columns, not ORM objects (``list_rows``).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Subquery,
    Uuid,
    bindparam,
    false,
    func,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.sql.elements import KeyedColumnElement

from tenantry.models import Organization, OrganizationKind, organization_segments
from tenantry.organizations.filters import OrganizationFilter
from tenantry.pagination import decode_cursor, encode_cursor
from tenantry.security import Actor

organizations = Organization.__table__
LIKE_ESCAPE = "/"


@dataclass(frozen=True)
class Shape:
    """What decides a list query's SQL; the values come with each request (:func:`values`)."""

    caller: OrganizationKind | None
    status: bool = False
    kind: bool = False
    segment: bool = False
    reseller: bool = False
    search: bool = False
    cursor: bool = False

    @classmethod
    def of(cls, actor: Actor, filters: OrganizationFilter, cursor: str | None) -> Shape:
        return cls(
            caller=actor.organization_kind,
            status=filters.status is not None,
            kind=filters.kind is not None,
            segment=filters.segment_id is not None,
            reseller=filters.reseller_id is not None,
            search=bool(filters.q),
            cursor=bool(cursor),
        )


def values(
    actor: Actor, filters: OrganizationFilter, cursor: str | None, limit: int
) -> dict[str, Any]:
    """The bound values of the request's query (``limit`` rows at most)."""
    given: dict[str, Any] = {
        "platform_id": actor.platform_id,
        "caller_id": actor.organization_id,
        "page_limit": limit,
        "status": filters.status,
        "kind": filters.kind,
        "segment_id": filters.segment_id,
        "reseller_id": filters.reseller_id,
    }
    if filters.q:
        escaped = (
            filters.q.lower()
            .replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
            .replace("%", f"{LIKE_ESCAPE}%")
            .replace("_", f"{LIKE_ESCAPE}_")
        )
        given["pattern"] = f"%{escaped}%"
    if cursor:
        given["after_name"], given["after_id"] = decode_cursor(cursor, _text)
    return given


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected the name the list is sorted by")
    return value


def _scope_parts(caller: OrganizationKind | None) -> list[tuple[list[ColumnElement[bool]], bool]]:
    """The caller's scope (``security.organization_scope``) as parts that each follow one index,
    and whether the part is one row at most (found by its key, with nothing to order)."""
    same_platform = organizations.c.platform_id == bindparam("platform_id")
    itself = [same_platform, organizations.c.id == bindparam("caller_id")]
    if caller is OrganizationKind.PLATFORM:
        return [([same_platform], False)]
    if caller is OrganizationKind.RESELLER:
        customers = [same_platform, organizations.c.parent_id == bindparam("caller_id")]
        return [(itself, True), (customers, False)]
    if caller is OrganizationKind.CUSTOMER:
        return [(itself, True)]
    return []


def _conditions(shape: Shape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if shape.status:
        conditions.append(organizations.c.status == bindparam("status"))
    if shape.kind:
        conditions.append(organizations.c.kind == bindparam("kind"))
    if shape.reseller:
        conditions.append(organizations.c.parent_id == bindparam("reseller_id"))
    if shape.segment:
        members = select(organization_segments.c.organization_id).where(
            organization_segments.c.segment_id == bindparam("segment_id")
        )
        conditions.append(organizations.c.id.in_(members))
    if shape.search:
        pattern = bindparam("pattern", type_=String)
        conditions.append(
            or_(
                *(
                    func.lower(organizations.c[name]).like(pattern, escape=LIKE_ESCAPE)
                    for name in ("legal_name", "display_name", "domain", "erp_id")
                )
            )
        )
    if shape.cursor:
        # One row-value comparison, which an index can seek to.
        key = tuple_(organizations.c.legal_name, organizations.c.id)
        after = tuple_(bindparam("after_name", type_=String), bindparam("after_id", type_=Uuid()))
        conditions.append(key > after)
    return conditions


def page_rows(shape: Shape, columns: Sequence[KeyedColumnElement[Any]]) -> Subquery:
    """Up to ``page_limit`` organizations after the cursor, in (legal name, id) order, as a
    subquery of ``columns``; the caller orders it again (a page, not a table)."""
    conditions = _conditions(shape)
    order = (organizations.c.legal_name, organizations.c.id)
    limit = bindparam("page_limit", type_=Integer)
    parts = [
        select(*columns).where(*scope, *conditions)
        if one_row
        else select(*columns).where(*scope, *conditions).order_by(*order).limit(limit)
        for scope, one_row in _scope_parts(shape.caller)
    ]
    if not parts:
        return select(*columns).where(false()).subquery("page")
    if len(parts) == 1:
        return parts[0].subquery("page")
    # SQLite refuses ORDER BY and LIMIT on a member of a compound select unless it is wrapped.
    wrapped = [part.subquery(f"part{n}") for n, part in enumerate(parts)]
    return union_all(*(select(part) for part in wrapped)).subquery("page")


def next_cursor(rows: Sequence[Any], limit: int) -> str | None:
    """The cursor after a page read with one row more than ``limit``; None when none followed."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    # The API's page reads SQLite's ids as the text it stores (``list_rows._as_stored``).
    row_id = last.id if isinstance(last.id, uuid.UUID) else uuid.UUID(last.id)
    return encode_cursor(last.legal_name, row_id)


@functools.cache
def _orm_query(shape: Shape) -> Select[Organization]:
    found = aliased(Organization, page_rows(shape, tuple(organizations.c)))
    return select(found).options(selectinload(found.segments)).order_by(found.legal_name, found.id)


async def orm_page(
    session: AsyncSession,
    actor: Actor,
    filters: OrganizationFilter,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[Organization], str | None]:
    """The page as Organization objects, with their segments (for pages and services)."""
    query = _orm_query(Shape.of(actor, filters, cursor))
    found = await session.execute(query, values(actor, filters, cursor, limit + 1))
    rows = found.scalars().all()
    return rows[:limit], next_cursor(rows, limit)
