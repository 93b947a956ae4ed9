"""What the app sends its database for one request: asked once through ASGI, in this process,
with a ``before_cursor_execute``/``after_cursor_execute`` listener on its engine recording each
statement, its parameters (in the driver's own form and parameter style: ``?`` for aiosqlite,
``$1`` for asyncpg) and the names of the columns it answered with. The floor replays them."""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.settings import Settings


@dataclass
class Statement:
    sql: str
    parameters: tuple[Any, ...]
    columns: list[str] = field(default_factory=list)

    @property
    def is_read(self) -> bool:
        return self.sql.lstrip().upper().startswith("SELECT")


@dataclass(frozen=True)
class Exchange:
    """The app's answer to one request, and the statements it ran for it."""

    messages: list[MutableMapping[str, Any]]
    statements: list[Statement]

    @property
    def start(self) -> MutableMapping[str, Any]:
        return next(m for m in self.messages if m["type"] == "http.response.start")

    @property
    def body(self) -> bytes:
        return b"".join(
            m.get("body", b"") for m in self.messages if m["type"] == "http.response.body"
        )

    def reads(self, path: str) -> list[Statement]:
        """The statements, which must all be reads (SQLite's BEGIN aside: the floor opens its
        own transaction)."""
        found = [s for s in self.statements if not s.sql.lstrip().upper().startswith("BEGIN")]
        writes = [s.sql for s in found if not s.is_read]
        if writes:
            raise SystemExit(f"GET {path} wrote ({writes[0][:80]}...); the floor replays reads")
        return found


async def asgi_get(app: Any, path: str, headers: dict[str, str]) -> list[MutableMapping[str, Any]]:
    """The ASGI messages ``app`` sends for a GET of ``path``, debug ones included."""
    target, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1",
        "method": "GET", "scheme": "http", "path": target, "raw_path": target.encode(),
        "query_string": query.encode(), "root_path": "",
        "headers": [(b"host", b"127.0.0.1")]
        + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80), "state": {},
        "extensions": {"http.response.debug": {}},
    }  # fmt: skip
    messages: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        messages.append(message)

    await app(scope, receive, send)
    return messages


async def exchanges(
    settings: Settings, requests: list[tuple[str, dict[str, str]]]
) -> list[Exchange]:
    """Each GET asked twice (the first compiles templates and fills the app's caches); the
    second's answer and statements."""
    database = Database(settings)
    app = create_app(settings, database=database)
    engine = database.engine.sync_engine
    found: list[Exchange] = []
    statements: list[Statement] = []

    def before(_c: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        statements.append(Statement(sql, tuple(parameters or ())))

    def after(_c: Any, cursor: Any, *_: Any) -> None:
        statements[-1].columns = [d[0] for d in cursor.description or ()]

    async with app.router.lifespan_context(app):
        for path, headers in requests:
            await asgi_get(app, path, headers)
            statements.clear()
            event.listen(engine, "before_cursor_execute", before)
            event.listen(engine, "after_cursor_execute", after)
            try:
                found.append(Exchange(await asgi_get(app, path, headers), list(statements)))
            finally:
                event.remove(engine, "before_cursor_execute", before)
                event.remove(engine, "after_cursor_execute", after)
    await database.dispose()
    return found
