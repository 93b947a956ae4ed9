"""The floor bench/api.py compares the app with: the least this stack can do for the same pages.

A plain ASGI callable, served by uvicorn in a process of its own with the settings `tenantry
serve` uses (one process; uvloop when installed unless TENANTRY_EVENT_LOOP says asyncio; httptools
when installed; no access log; no server header), reading the same database through the raw
driver (aiosqlite, asyncpg) and writing its answers with the same encoders the app does
(pydantic-core's ``to_json``, the app's own Jinja templates):

  * GET /list: GET /api/v1/organizations?limit=50 for the same caller (the same
    ``Authorization: Bearer`` header): api_floor_list.py replays the app's statements and
    builds the document;
  * GET /store: the storefront page for an anonymous visitor: api_floor_store.py replays the
    statements the app issued and renders the context it computed;
  * GET /healthz: answers once the floor serves.

Why a bare ASGI callable and not Starlette: the floor is what no application code can avoid on
this stack: the server, its HTTP parser and event loop, the driver, the database, the encoder.
Routing, request objects and middleware are choices the app makes (FastAPI, Starlette) and are
counted as its cost, like its ORM and validation.

Each request runs in one transaction, as the app's do (a page of organizations and its segments
read from one snapshot): BEGIN ... COMMIT on SQLite, asyncpg's transaction on PostgreSQL.

    TENANTRY_DATABASE_URL=sqlite:///bench.db .venv/bin/python bench/api_floor.py --token tny_...
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import aiosqlite
import asyncpg  # type: ignore[import-untyped]
import uvicorn
from api_capture import exchanges
from api_floor_list import (
    PATH,
    POSTGRESQL_VALUES,
    SQLITE_VALUES,
    ListStatements,
    Refused,
    Values,
    check_token,
    document,
    list_statements,
)
from api_floor_store import StorePage, store_page
from api_serve import server_choices
from pydantic_core import to_json
from starlette.types import Receive, Scope, Send

from tenantry.security import hash_secret
from tenantry.settings import Settings

# As many connections as the app's pool keeps open (db.make_engine: pool_size=10, overflow 10).
POOL_SIZE = 10
POOL_OVERFLOW = 10
PRAGMAS = ("foreign_keys=ON", "journal_mode=WAL", "busy_timeout=10000", "synchronous=NORMAL")
JSON = [(b"content-type", b"application/json")]
Query = Callable[[str, Sequence[Any]], Awaitable[Sequence[Sequence[Any]]]]


class Sqlite:
    """A few aiosqlite connections in a queue, set up as the app's are (db._sqlite_pragmas)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(POOL_SIZE):
            connection = await aiosqlite.connect(self.path, isolation_level=None)
            for pragma in PRAGMAS:
                await connection.execute(f"PRAGMA {pragma}")
            self.idle.put_nowait(connection)

    async def close(self) -> None:
        while not self.idle.empty():
            await self.idle.get_nowait().close()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Query]:
        connection = await self.idle.get()
        try:
            await connection.execute("BEGIN")
            try:
                yield connection.execute_fetchall  # type: ignore[misc]
            finally:
                await connection.execute("COMMIT")  # a read: nothing to roll back
        finally:
            self.idle.put_nowait(connection)


class Postgresql:
    """asyncpg's own pool."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        self.pool = await asyncpg.create_pool(
            self.dsn, min_size=POOL_SIZE, max_size=POOL_SIZE + POOL_OVERFLOW
        )

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Query]:
        assert self.pool is not None
        async with self.pool.acquire() as connection, connection.transaction():

            async def query(statement: str, parameters: Sequence[Any]) -> Sequence[Any]:
                rows: Sequence[Any] = await connection.fetch(statement, *parameters)
                return rows

            yield query


class Floor:
    """The ASGI app: /list, /store and /healthz."""

    def __init__(self, database_url: str, listing: ListStatements, store: StorePage) -> None:
        self.listing, self.store = listing, store
        self.database: Sqlite | Postgresql
        self.values: Values
        if database_url.startswith("sqlite"):
            self.database = Sqlite(database_url.split(":///", 1)[1])
            self.values = SQLITE_VALUES
        else:
            dsn = "postgresql://" + database_url.split("://", 1)[1]
            self.database = Postgresql(dsn)
            self.values = POSTGRESQL_VALUES
        self.store_headers = store.headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        path = scope["path"]
        if path == "/list":
            status, headers, body = await self.list_page(scope)
        elif path == "/store":
            status, headers, body = await self.store_page()
        elif path == "/healthz":
            status, headers, body = 200, JSON, b'{"status":"ok"}'
        else:
            status, headers, body = 404, JSON, b'{"detail":"not found"}'
        headers = [*headers, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.database.open()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.database.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def list_page(self, scope: Scope) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        secret = ""
        for name, value in scope["headers"]:
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                secret = value[7:].decode()
        token, page = self.listing.token, self.listing.page
        try:
            async with self.database.transaction() as query:
                found = await query(token.sql, (hash_secret(secret),))
                check_token(found[0] if found else None, token.columns, self.values)
                rows = await query(page.sql, page.parameters)
        except Refused as exc:
            return exc.status, JSON, to_json({"status": exc.status, "detail": str(exc)})
        return 200, JSON, to_json(document(rows, page.columns, self.values))

    async def store_page(self) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        async with self.database.transaction() as query:
            for statement, parameters in self.store.statements:
                await query(statement, parameters)
        return 200, self.store_headers, self.store.render()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--token", required=True, help="the API token the list is asked with")
    args = parser.parse_args()
    settings = Settings()  # TENANTRY_DATABASE_URL and the rest, as `tenantry serve` reads them
    auth = {"Authorization": f"Bearer {args.token}"}
    listed, stored = asyncio.run(exchanges(settings, [(PATH, auth), ("/store", {})]))
    listing, store = list_statements(listed), store_page(stored)
    loop, http = server_choices()
    config = uvicorn.Config(
        Floor(settings.database_url, listing, store), host=args.host, port=args.port, loop=loop, http=http,
        log_config=None, log_level=None, access_log=False, server_header=False, lifespan="on",
    )  # fmt: skip
    print(f"floor: {loop} event loop, {http} HTTP parser, on {args.host}:{args.port}", flush=True)
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
