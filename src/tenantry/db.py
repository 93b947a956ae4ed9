"""Engine, sessions and the one transaction a request owns.

Services and repositories never commit; they ``flush()`` when they need ids. The request (or the
job) that opened the session commits on success and rolls back on any error, so a write happens
whole or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from tenantry.settings import Settings


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, emit BEGIN (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """Writers take SQLite's write lock up front (BEGIN IMMEDIATE) and wait for it; a deferred
    transaction that reads first and writes later would fail with "database is locked" instead."""
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


POOL_RECYCLE_SECONDS = 1800
# Rows of each index SQLite's ANALYZE of named tables reads (its documentation's choice for
# PRAGMA optimize).
SQLITE_ANALYSIS_LIMIT = 400


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        if path and path != ":memory:":
            # Opening a SQLite connection (and setting its pragmas) costs more than most
            # requests; a file database keeps a few open. Writers still queue on SQLite's lock.
            engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
        else:
            engine = create_async_engine(url, poolclass=NullPool)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    # No ping before each checkout (a round trip on every request): connections are replaced
    # after half an hour instead, and a connection found dead (the server restarted) fails its
    # one request and makes the pool discard every connection it holds.
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=POOL_RECYCLE_SECONDS
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class Database:
    """One engine and its session factory; the app and each worker own one."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url
        self.engine = make_engine(settings.database_url)
        self.sessionmaker = make_sessionmaker(self.engine)

    @classmethod
    def of_session(cls, session: AsyncSession) -> Database:
        """The database ``session`` is bound to, for work that commits in several transactions
        of its own (a long job committing page by page)."""
        engine = session.bind
        if not isinstance(engine, AsyncEngine):
            raise TypeError("the session is not bound to an AsyncEngine")
        database = cls.__new__(cls)
        database.url = engine.url.render_as_string(hide_password=False)
        database.engine = engine
        database.sessionmaker = make_sessionmaker(engine)
        return database

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """Yield a session that commits when the block succeeds and rolls back when it raises."""
        async with self.sessionmaker() as session:
            if write and self.is_sqlite:
                await session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def analyze(self, *tables: str) -> None:
        """Fresh planner statistics, of ``tables`` or of every table, after many rows were
        written at once (the demo data, a benchmark's seed, a sync's accounts). Without them
        both databases plan for the tables as they last saw them, empty perhaps (PostgreSQL's
        autovacuum gathers them only later, or never when it is turned off), and may choose a
        scan where an index would do: a cost that grows with the table on every query."""
        sample = self.is_sqlite and bool(tables)
        async with self.transaction() as session:
            if sample:
                # An estimate from a sample, as PostgreSQL's, rather than reading every index.
                await session.execute(text(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}"))
            for table in tables or ("",):
                await session.execute(text(f"ANALYZE {table}".strip()))
            if sample:  # the connection goes back to the pool as it came
                await session.execute(text("PRAGMA analysis_limit=0"))

    async def dispose(self) -> None:
        await self.engine.dispose()


async def serialize(session: AsyncSession, *key: object) -> None:
    """Make transactions that name the same ``key`` run one after another from here to their end.

    For a check-then-insert that no constraint can guard (two registrations of one domain): the
    second waits for the first to commit and then sees its row. PostgreSQL takes a
    transaction-scoped advisory lock; SQLite needs none, its writers take the database's write
    lock at BEGIN (``Database.transaction``).
    """
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        return
    digest = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    lock_id = int.from_bytes(digest, "big", signed=True)
    await connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})
