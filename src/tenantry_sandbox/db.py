"""The sandbox's own database: its metadata, engine and the transaction each request owns.

The sandbox is a stand-in with a database of its own, so its tables are created with
``metadata.create_all`` at startup rather than by migrations. A request's session commits when the
route returns (before the response is sent, so a failed commit becomes an error response) and rolls
back when it raises.
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    DateTime,
    MetaData,
    Table,
    TypeDecorator,
    Uuid,
    bindparam,
    delete,
    event,
    insert,
    text,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.elements import ColumnElement

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every database (SQLite hands back naive values otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SandboxBase(DeclarativeBase):
    """Base of every sandbox table; its metadata is separate from the product's."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime(), uuid.UUID: Uuid()}


# Tables that survive a reset: the signing keys, so tokens a client holds stay verifiable.
KEPT_ON_RESET = frozenset({"signing_keys"})


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A 64 MB page cache: bulk seeding inserts into random-UUID indexes far larger than the default.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # Opening a connection (a thread, the file, five pragmas) cost about as much as a
            # whole billing-profile read; a file database keeps a few open.
            engine = create_async_engine(url, pool_size=8, max_overflow=8)
        else:
            engine = create_async_engine(url, poolclass=NullPool)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


class Database:
    """One engine and its session factory for the sandbox process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    async def create_all(self) -> None:
        # Importing the store registers every table on the metadata.
        import tenantry_sandbox.store  # noqa: F401

        async with self.engine.begin() as connection:
            await connection.run_sync(SandboxBase.metadata.create_all)

    async def clear(self) -> None:
        """Empty every table except the signing keys (``POST /_sandbox/reset``)."""
        tables = [
            table
            for table in reversed(SandboxBase.metadata.sorted_tables)
            if table.name not in KEPT_ON_RESET
        ]
        async with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{table.name}"' for table in tables)
                await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    await connection.execute(delete(table))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session that commits when the block succeeds and rolls back when it raises."""
        async with self.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()


async def claim(
    session: AsyncSession, row: SandboxBase, values: dict[str, Any], *where: ColumnElement[bool]
) -> bool:
    """Set ``values`` on ``row`` only while ``where`` still holds; False when another request won.

    One conditional UPDATE, so of two concurrent requests (two checkouts of a cart, two reads
    completing an order) exactly one succeeds. The winner's loaded object takes the new values as
    committed state, without a reload.
    """
    result = await session.execute(
        update(type(row)).where(*where).values(values).execution_options(synchronize_session=False)
    )
    claimed = bool(getattr(result, "rowcount", 0))
    if claimed:
        for name, value in values.items():
            set_committed_value(row, name, value)
    return claimed


async def bulk_insert(
    connection: AsyncConnection, table: Table, rows: list[dict[str, Any]]
) -> None:
    """Insert many rows with one driver-level executemany.

    SQLAlchemy's executemany converts every value of every row through the column types; for the
    seed's million rows that is most of the time. Here each column's conversion is looked up once
    and applied only where a type needs one, Python-side defaults (``created_at``) are evaluated
    once for the whole batch, and rows go to the driver as tuples. Every row must have the keys
    of the first.
    """
    if not rows:
        return
    dialect = connection.dialect
    keys = list(rows[0])
    constants: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.key in rows[0] or default is None:
            continue
        if default.is_callable:
            constants[column.key] = default.arg(None)  # type: ignore[attr-defined]
        elif default.is_scalar:
            constants[column.key] = default.arg  # type: ignore[attr-defined]
    compiled = (
        insert(table).values({key: bindparam(key) for key in keys + list(constants)})
    ).compile(dialect=dialect)
    # Row values are fetched in parameter order by one itemgetter; constants (defaults evaluated
    # once) are appended after them; only the columns that need a conversion get one.
    order = list(compiled.positiontup or ())
    row_keys = [key for key in order if key not in constants]
    fetch = operator.itemgetter(*row_keys)
    conversions: list[tuple[int, Any]] = []
    for position, key in enumerate(row_keys):
        process = table.columns[key].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            conversions.append((position, process))
    tail: list[Any] = []
    for key in order[len(row_keys) :]:
        if key not in constants:
            raise RuntimeError(f"unexpected parameter order inserting into {table.name}")
        process = table.columns[key].type.dialect_impl(dialect).bind_processor(dialect)
        value = constants[key]
        tail.append(process(value) if process is not None and value is not None else value)

    constant_values = tuple(tail)
    single = len(row_keys) == 1

    def convert(row: dict[str, Any]) -> tuple[Any, ...]:
        fetched = (fetch(row),) if single else fetch(row)
        if not conversions:
            return fetched + constant_values
        values = list(fetched)
        for position, process in conversions:
            if values[position] is not None:
                values[position] = process(values[position])
        return (*values, *constant_values)

    records = [convert(row) for row in rows]
    await connection.exec_driver_sql(compiled.string, records)
