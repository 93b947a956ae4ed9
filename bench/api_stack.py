"""What the stack itself costs a request, for bench/api_cost.py: the part of the app's CPU that
no code of ours adds, measured in the same process as the app and the floor.

  * the web framework: a route answering a fixed JSON document, in a bare FastAPI app with the
    app's own middleware, and added to the app itself, behind its routes (FastAPI finds a route
    by trying the routes before it, each included router's twice, so where it stands counts);
  * the database layer: a read transaction of one trivial statement (``SELECT 1``) through
    SQLAlchemy's AsyncSession as every request opens it (``Database.transaction``), through
    SQLAlchemy's AsyncConnection (Core, no session), and through the driver alone (the floor's
    connections);
  * the stack floor: the floor's two pages done by the stack the app is built on with no code
    of ours between: a FastAPI route (a bare app with the app's middleware) that opens the
    app's session as every request does and sends the app's captured statements through it as
    they are (``exec_driver_sql``: no statement building, no typed results), then builds and
    encodes the answer as the floor does. app / stack floor is what our own code costs on top
    of FastAPI and SQLAlchemy; stack floor / floor, what choosing them costs.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from api_floor import Postgresql, Sqlite
from api_floor_list import (
    POSTGRESQL_VALUES,
    SQLITE_VALUES,
    ListStatements,
    Refused,
    check_token,
    document,
)
from api_floor_store import StorePage
from fastapi import FastAPI, Request, Response
from pydantic_core import to_json
from sqlalchemy import text

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.methods import AllowHeaderMiddleware
from tenantry.observability import RequestContextMiddleware
from tenantry.security import hash_secret
from tenantry.settings import Settings

FIXED = "/_bench/fixed"
Timed = Callable[[Callable[[], Awaitable[None]], int, int], Awaitable[float]]


async def fixed() -> dict[str, str]:
    return {"status": "ok"}


def bare_app(app: FastAPI | None = None) -> FastAPI:
    """One route and the app's middleware (tenantry.app adds the same two)."""
    app = app or FastAPI()
    app.add_api_route(FIXED, fixed, methods=["GET"])
    app.add_middleware(AllowHeaderMiddleware)
    app.add_middleware(RequestContextMiddleware)
    return app


def stack_floor(settings: Settings, listing: ListStatements, store: StorePage) -> FastAPI:
    """The floor's /list and /store on FastAPI and the app's SQLAlchemy session."""
    database = Database(settings)
    values = SQLITE_VALUES if database.is_sqlite else POSTGRESQL_VALUES

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await database.dispose()

    async def list_page(request: Request) -> Response:
        secret = request.headers.get("authorization", "")[7:]
        token, page = listing.token, listing.page
        try:
            async with database.transaction(write=False) as session:
                connection = await session.connection()
                found = (await connection.exec_driver_sql(token.sql, (hash_secret(secret),))).all()
                check_token(found[0] if found else None, token.columns, values)
                rows = (await connection.exec_driver_sql(page.sql, page.parameters)).all()
        except Refused as exc:
            body = to_json({"status": exc.status, "detail": str(exc)})
            return Response(body, exc.status, media_type="application/json")
        body = to_json(document(rows, page.columns, values))
        return Response(body, media_type="application/json")

    async def store_page() -> Response:
        async with database.transaction(write=False) as session:
            connection = await session.connection()
            for statement, parameters in store.statements:
                (await connection.exec_driver_sql(statement, parameters)).all()
        return Response(store.render(), headers={k.decode(): v.decode() for k, v in store.headers})

    app = bare_app(FastAPI(lifespan=lifespan))
    app.add_api_route("/list", list_page, methods=["GET"])
    app.add_api_route("/store", store_page, methods=["GET"])
    return app


def app_with_fixed_route(settings: Settings) -> tuple[FastAPI, int]:
    """The app with the fixed route added last; how many routes stand before it."""
    app = create_app(settings)
    before = sum(1 for _ in leaf_routes(app.router))
    app.add_api_route(FIXED, fixed, methods=["GET"], include_in_schema=False)
    return app, before


def leaf_routes(router: Any) -> Iterator[Any]:
    for route in router.routes:
        if hasattr(route, "original_router"):  # a router included in another
            yield from leaf_routes(route.original_router)
        else:
            yield route


async def transaction_costs(
    settings: Settings, timed: Timed, count: int
) -> tuple[float, float, float]:
    """CPU per read transaction of ``SELECT 1``: (SQLAlchemy's AsyncSession, SQLAlchemy's
    AsyncConnection, the driver alone)."""
    database = Database(settings)
    url = settings.database_url
    driver: Sqlite | Postgresql = (
        Sqlite(url.split(":///", 1)[1])
        if url.startswith("sqlite")
        else Postgresql("postgresql://" + url.split("://", 1)[1])
    )
    await driver.open()
    try:

        async def through_session() -> None:
            async with database.transaction(write=False) as session:
                await session.execute(text("SELECT 1"))

        async def through_core() -> None:
            async with database.engine.begin() as connection:
                await connection.execute(text("SELECT 1"))

        async def through_driver() -> None:
            async with driver.transaction() as query:
                await query("SELECT 1", ())

        return (
            await timed(through_session, count, 20),
            await timed(through_core, count, 20),
            await timed(through_driver, count, 20),
        )
    finally:
        await driver.close()
        await database.dispose()
