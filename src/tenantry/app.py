"""The application factory: ``tenantry.app:create_app``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from tenantry import __version__, health, problems
from tenantry.audit import api as audit_api
from tenantry.db import Database
from tenantry.observability import RequestContextMiddleware
from tenantry.organizations import api as organizations_api
from tenantry.settings import Settings, get_settings

API_DESCRIPTION = """
Tenantry's API. Authenticate with an API token (`Authorization: Bearer <token>`); tokens are made
per organization and role. Errors are RFC 9457 problem details that name every invalid field.
"""


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    database = database or Database(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await database.dispose()

    app = FastAPI(
        title="Tenantry",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.queue = None
    problems.install(app)
    app.add_middleware(RequestContextMiddleware)
    app.include_router(health.router)
    app.include_router(organizations_api.router)
    app.include_router(audit_api.router)
    return app
