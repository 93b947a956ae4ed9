"""The API's organization list as plain rows, encoded without validating them.

One query gives the page, each organization's segments (as JSON the database builds) and its
Microsoft tenant. Loading ORM objects for a list that is only read cost more than the query
itself (identity map, attribute state, relationship loading, then Pydantic reading the objects
back attribute by attribute).

The rows come from our own database and are trusted, so they are not validated either:
validating the page into ``Page[OrganizationRead]`` only wrote back what the rows hold (timed
alone, a 50-row page cost 0.71 ms to build, validate and dump that way, 0.50 ms as done here). ``_ItemShape.item`` builds each
item as the values the model held, keyed by its fields in its order (the nested models' too),
and the route encodes the page with ``pydantic_core.to_json``, which writes them as the model's
serializer did; the model stays the route's ``response_model``, for the OpenAPI document. What
the model parsed is converted here: on SQLite the ids and times are read as the text stored
(``_as_stored``), an id dashed by slicing its 32 hex digits and a time parsed by
``datetime.fromisoformat``; asyncpg hands back ``uuid.UUID`` and aware datetimes as they are.
tests/organizations/test_list_encoding.py guards the shape: the endpoint's page must be, byte
for byte, what the model writes of the same organizations, so a field added to
``OrganizationRead`` but not to this encoding fails it.
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
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
from tenantry.organizations.schemas import (
    AddressRead,
    ContactRead,
    MicrosoftTenantRead,
    OrganizationRead,
)
from tenantry.security import Actor

tenants = MicrosoftTenant.__table__

# What OrganizationRead shows of an organization (``_ItemShape.item``).
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
    """On SQLite, ``column`` as the text it stores when it holds an id, an enum or a time,
    which SQLAlchemy's result processors would parse in Python (a regular expression and a
    ``replace`` per time, a ``uuid.UUID`` per id): about a fifth of the page's read. An enum's
    text is its value; ids and times are converted by ``_parser``. SQLite keeps times as naive
    UTC text (``UTCDateTime``), so ``+00:00`` says so. PostgreSQL's driver decodes these in C.
    (Dashing the ids in SQL with ``substr`` cost SQLite more than slicing them in Python.)"""
    if dialect != "sqlite":
        return column
    if isinstance(column.type, Uuid | Enum):
        return type_coerce(column, String)
    if isinstance(column.type, UTCDateTime):
        return type_coerce(column, String) + "+00:00"
    return column


def _dashed(stored: str) -> str:
    """An id as SQLite stores it (``uuid.UUID.hex``: 32 lower-case hex digits), as the model
    writes it; slicing costs a quarter of ``str(uuid.UUID(stored))``."""
    return f"{stored[:8]}-{stored[8:12]}-{stored[12:16]}-{stored[16:20]}-{stored[20:]}"


def _parser(column: ColumnElement[Any]) -> Callable[[str], Any] | None:
    """What turns the text ``_as_stored`` reads of ``column`` on SQLite into what the model made
    of it: an id as its dashed text, a time as an aware datetime (``fromisoformat``, in C;
    ``to_json`` then writes it as the model did: ``Z``, and no fraction when it has none)."""
    if isinstance(column.type, Uuid):
        return _dashed
    if isinstance(column.type, UTCDateTime):
        return datetime.fromisoformat
    return None


@functools.cache
def _stored_parsers(dialect: str) -> dict[str, Callable[[str], Any]]:
    """By the page's column names: the parsers of the columns ``_as_stored`` reads as text."""
    if dialect != "sqlite":
        return {}
    columns = [(column.name, column) for column in READ_COLUMNS]
    columns += [(f"tenant_{name}", tenants.c[name]) for name in TENANT_COLUMNS]
    return {name: parse for name, column in columns if (parse := _parser(column))}


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


# The fields of the nested models and the page's columns that hold them.
ADDRESS = {name: f"address_{name}" for name in AddressRead.model_fields}
CONTACT = {name: f"contact_{name}" for name in ContactRead.model_fields}
TENANT = {name: f"tenant_{name}" for name in MicrosoftTenantRead.model_fields}
# The fields of OrganizationRead built from several columns, in the order ``item`` appends them
# to the row's values.
NESTED = ("address", "primary_contact", "segments", "microsoft_tenant")
Taker = Callable[[Sequence[Any]], tuple[Any, ...]]


@dataclass(frozen=True)
class _ItemShape:
    """Where each field of ``OrganizationRead`` is in a row of the page's columns (``keys``),
    found once per set of columns: the row is then cut by position (``itemgetter``), not
    copied into a dict and taken apart key by key, which cost about 15 us a row. ``parse``
    names the columns read as stored text (SQLite) and what converts them; the segments' ids
    are stored text there too, inside their JSON."""

    fields: tuple[str, ...]
    take_fields: Taker
    take_address: Taker
    take_contact: Taker
    take_tenant: Taker
    segments: int
    parse: tuple[tuple[int, Callable[[str], Any]], ...]
    stored_segment_ids: bool

    @classmethod
    @functools.cache
    def of(cls, keys: tuple[str, ...], dialect: str) -> _ItemShape:
        position = {key: n for n, key in enumerate(keys)}
        # The nested fields follow the row's columns (``item``).
        position |= {name: len(keys) + n for n, name in enumerate(NESTED)}

        def taker(names: Iterable[str]) -> Taker:
            try:
                wanted = [position[name] for name in names]
            except KeyError as missing:
                raise LookupError(
                    f"OrganizationRead shows {missing}, which the list's query does not read "
                    "(list_rows.READ_COLUMNS, TENANT_COLUMNS)"
                ) from None
            # Every group has several columns: itemgetter of one would give a value, not a tuple.
            assert len(wanted) > 1
            return operator.itemgetter(*wanted)

        parsers = _stored_parsers(dialect)
        return cls(
            fields=tuple(OrganizationRead.model_fields),
            take_fields=taker(OrganizationRead.model_fields),
            take_address=taker(ADDRESS.values()),
            take_contact=taker(CONTACT.values()),
            take_tenant=taker(TENANT.values()),
            segments=position["segments_json"],
            parse=tuple((position[key], parse) for key, parse in parsers.items()),
            stored_segment_ids=dialect == "sqlite",
        )

    def item(self, row: Sequence[Any]) -> dict[str, Any]:
        """A row as ``OrganizationRead`` holds it, ready for ``to_json``: its fields in its
        order (the nested models' too), each id, time and enum as the model would write it."""
        values = list(row)
        for n, parse in self.parse:
            if (stored := values[n]) is not None:
                values[n] = parse(stored)
        segments = values[self.segments]
        if isinstance(segments, str):  # a driver that hands JSON back as text
            segments = json.loads(segments)
        segments = segments or []
        if self.stored_segment_ids:  # copies: the row keeps what it read
            segments = [{**segment, "id": _dashed(segment["id"])} for segment in segments]
        tenant = dict(zip(TENANT, self.take_tenant(values), strict=True))
        values += (  # as NESTED names them
            dict(zip(ADDRESS, self.take_address(values), strict=True)),
            dict(zip(CONTACT, self.take_contact(values), strict=True)),
            segments,
            tenant if tenant["tenant_id"] is not None else None,
        )
        return dict(zip(self.fields, self.take_fields(values), strict=True))


async def api_page(
    session: AsyncSession,
    actor: Actor,
    filters: OrganizationFilter,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[list[dict[str, Any]], str | None]:
    """The page's items as ``Page[OrganizationRead]`` would write them, for ``to_json``."""
    dialect = session.get_bind().dialect.name
    query = api_page_query(Shape.of(actor, filters, cursor), dialect)
    result = await session.execute(query, values(actor, filters, cursor, limit + 1))
    shape = _ItemShape.of(tuple(result.keys()), dialect)
    rows = result.all()
    return [shape.item(row) for row in rows[:limit]], next_cursor(rows, limit)
