"""The API's organization list as plain rows: one query gives the page, each organization's
segments (as JSON the database builds) and its Microsoft tenant, and the response model
validates the rows once. Loading ORM objects for a list that is only read cost more than the
query itself (identity map, attribute state, relationship loading, then Pydantic reading the
objects back attribute by attribute).
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Enum,
    Select,
    String,
    Subquery,
    Uuid,
    func,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import MicrosoftTenant, Segment, organization_segments
from tenantry.models.base import UTCDateTime
from tenantry.organizations.filters import OrganizationFilter
from tenantry.organizations.listing import Shape, next_cursor, organizations, page_rows, values
from tenantry.security import Actor

tenants = MicrosoftTenant.__table__

# What OrganizationRead shows of an organization (``_item``).
READ_COLUMNS = tuple(
    organizations.c[name]
    for name in (
        "id", "kind", "platform_model", "parent_id", "status", "status_reason", "legal_name",
        "display_name", "registration_number", "vat_id", "domain", "industry", "address_line1",
        "address_line2", "address_city", "address_region", "address_postal_code",
        "address_country", "contact_name", "contact_email", "contact_phone",
        "preferred_currency", "erp_id", "custom_properties", "mpn_id", "mpn_status",
        "mpn_checked_at", "tenant_id", "approved_at", "created_at", "updated_at", "version",
    )
)  # fmt: skip
TENANT_COLUMNS = (
    "tenant_id", "company_name", "initial_domain", "default_domain", "verified_domains",
    "relationship", "reseller_id", "link_method", "linked_at", "linked_by_id",
)  # fmt: skip


def _segments_json(page: Subquery, dialect: str) -> ColumnElement[Any]:
    """The segments of ``page``'s organization, by name, as one JSON array the database builds."""
    segment = Segment.__table__
    joined = segment.join(organization_segments, organization_segments.c.segment_id == segment.c.id)
    of_the_row = organization_segments.c.organization_id == page.c.id
    if dialect == "postgresql":
        item = func.json_build_object(
            "id", segment.c.id, "name", segment.c.name, "description", segment.c.description
        )
        array: ColumnElement[Any] = func.json_agg(aggregate_order_by(item, segment.c.name))
        query = select(array).select_from(joined).where(of_the_row)
    else:
        # SQLite before 3.44 has no ORDER BY inside an aggregate; it keeps a subquery's order.
        ordered = (
            select(segment.c.id, segment.c.name, segment.c.description)
            .select_from(joined)
            .where(of_the_row)
            .order_by(segment.c.name)
            .correlate(page)
            .subquery("ordered_segments")
        )
        item = func.json_object(
            "id", ordered.c.id, "name", ordered.c.name, "description", ordered.c.description
        )
        query = select(func.json_group_array(item)).select_from(ordered)
    return type_coerce(query.scalar_subquery(), JSON)


def _as_stored(column: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """On SQLite, ``column`` as the text it stores when it holds an id, an enum or a time:
    the response model parses those (in pydantic-core), where SQLAlchemy's result processors
    would parse them in Python first (a regular expression and a ``replace`` per time, a
    ``uuid.UUID`` per id), only for the model to read them again: about a fifth of the page's
    read. SQLite keeps times as naive UTC text (``UTCDateTime``), so ``+00:00`` says so.
    PostgreSQL's driver decodes these in C already."""
    if dialect != "sqlite":
        return column
    if isinstance(column.type, Uuid | Enum):
        return type_coerce(column, String)
    if isinstance(column.type, UTCDateTime):
        return type_coerce(column, String) + "+00:00"
    return column


@functools.cache
def api_page_query(shape: Shape, dialect: str) -> Select[Any]:
    """The API's page: the organizations' columns, their segments (JSON) and their tenant's
    columns (``tenant_*``, null without one), in (legal name, id) order."""
    page = page_rows(shape, READ_COLUMNS)
    return (
        select(
            *(_as_stored(column, dialect).label(column.name) for column in page.c),
            _segments_json(page, dialect).label("segments_json"),
            *(
                _as_stored(tenants.c[name], dialect).label(f"tenant_{name}")
                for name in TENANT_COLUMNS
            ),
        )
        .select_from(page.outerjoin(tenants, tenants.c.organization_id == page.c.id))
        .order_by(page.c.legal_name, page.c.id)
    )


ADDRESS = {
    "line1": "address_line1", "line2": "address_line2", "city": "address_city",
    "region": "address_region", "postal_code": "address_postal_code",
    "country": "address_country",
}  # fmt: skip
CONTACT = {"name": "contact_name", "email": "contact_email", "phone": "contact_phone"}


@dataclass(frozen=True)
class _ItemShape:
    """Where each field of ``OrganizationRead`` is in a row of the page's columns (``keys``),
    found once per set of columns: the row is then cut by position (``itemgetter``), not
    copied into a dict and taken apart key by key, which cost about 15 us a row."""

    plain: tuple[str, ...]
    take_plain: Callable[[Sequence[Any]], tuple[Any, ...]]
    take_address: Callable[[Sequence[Any]], tuple[Any, ...]]
    take_contact: Callable[[Sequence[Any]], tuple[Any, ...]]
    take_tenant: Callable[[Sequence[Any]], tuple[Any, ...]]
    segments: int

    @classmethod
    @functools.cache
    def of(cls, keys: tuple[str, ...]) -> _ItemShape:
        position = {key: n for n, key in enumerate(keys)}
        nested = {*ADDRESS.values(), *CONTACT.values(), "segments_json"}
        nested |= {f"tenant_{name}" for name in TENANT_COLUMNS}
        plain = tuple(key for key in keys if key not in nested)

        def taker(names: Iterable[str]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
            wanted = [position[name] for name in names]
            # Every group has several columns: itemgetter of one would give a value, not a tuple.
            assert len(wanted) > 1
            return operator.itemgetter(*wanted)

        return cls(
            plain=plain,
            take_plain=taker(plain),
            take_address=taker(ADDRESS.values()),
            take_contact=taker(CONTACT.values()),
            take_tenant=taker(f"tenant_{name}" for name in TENANT_COLUMNS),
            segments=position["segments_json"],
        )

    def item(self, row: Sequence[Any]) -> dict[str, Any]:
        """A row as the fields of ``OrganizationRead`` (the columns keep their names; the
        address, the contact, the segments and the tenant are nested)."""
        item = dict(zip(self.plain, self.take_plain(row), strict=True))
        item["address"] = dict(zip(ADDRESS, self.take_address(row), strict=True))
        item["primary_contact"] = dict(zip(CONTACT, self.take_contact(row), strict=True))
        segments = row[self.segments]
        if isinstance(segments, str):  # a driver that hands JSON back as text
            segments = json.loads(segments)
        item["segments"] = segments or []
        tenant = dict(zip(TENANT_COLUMNS, self.take_tenant(row), strict=True))
        item["microsoft_tenant"] = tenant if tenant["tenant_id"] is not None else None
        return item


async def api_page(
    session: AsyncSession,
    actor: Actor,
    filters: OrganizationFilter,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[list[dict[str, Any]], str | None]:
    """The page as the API answers it, for ``Page[OrganizationRead]`` to validate once."""
    query = api_page_query(Shape.of(actor, filters, cursor), session.get_bind().dialect.name)
    result = await session.execute(query, values(actor, filters, cursor, limit + 1))
    shape = _ItemShape.of(tuple(result.keys()))
    rows = result.all()
    return [shape.item(row) for row in rows[:limit]], next_cursor(rows, limit)
