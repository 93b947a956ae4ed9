"""What the stack itself costs a request, for bench/api_cost.py: the part of the app's CPU that
no code of ours adds, measured in the same process as the app and the floor.

  * the web framework: a route answering a fixed JSON document, in a bare FastAPI app with the
    app's own middleware, and added to the app itself, behind its routes (FastAPI finds a route
    by trying the routes before it, each included router's twice, so where it stands counts);
  * the database layer: a read transaction of one trivial statement (``SELECT 1``) through
    SQLAlchemy's AsyncSession as every request opens it (``Database.transaction``), through
    SQLAlchemy's AsyncConnection (Core, no session), and through the driver alone (the floor's
    connections).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from api_floor import Postgresql, Sqlite
from fastapi import FastAPI
from sqlalchemy import text

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.methods import AllowHeaderMiddleware
from tenantry.observability import RequestContextMiddleware
from tenantry.settings import Settings

FIXED = "/_bench/fixed"
Timed = Callable[[Callable[[], Awaitable[None]], int, int], Awaitable[float]]


async def fixed() -> dict[str, str]:
    return {"status": "ok"}


def bare_app() -> FastAPI:
    """One route and the app's middleware (tenantry.app adds the same two)."""
    app = FastAPI()
    app.add_api_route(FIXED, fixed, methods=["GET"])
    app.add_middleware(AllowHeaderMiddleware)
    app.add_middleware(RequestContextMiddleware)
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
