"""The sandbox application: Partner Center and the Microsoft identity platform in one process.

``create_app`` wires the identity endpoints, the control API under ``/_sandbox`` and every router
of ``tenantry_sandbox.routes``. Middleware, outermost first: Partner Center's response headers
(and the last word on unexpected errors), fault injection, idempotent replay of writes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from tenantry_sandbox import auth, control
from tenantry_sandbox.background import background_services
from tenantry_sandbox.errors import install_error_handlers
from tenantry_sandbox.faults import FaultMiddleware, quiet_server_logs
from tenantry_sandbox.idempotency import IdempotencyMiddleware
from tenantry_sandbox.middleware import PartnerCenterHeadersMiddleware
from tenantry_sandbox.responses import PartnerCenterJSONResponse
from tenantry_sandbox.routes import discover_routers
from tenantry_sandbox.settings import SandboxSettings
from tenantry_sandbox.state import SandboxState


def create_app(settings: SandboxSettings | None = None) -> FastAPI:
    state = SandboxState(settings or SandboxSettings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await state.ensure_started()
        async with background_services(state):
            yield
        await state.close()

    # Swagger UI's assets come from the installed package: the docs work offline.
    app = FastAPIOffline(
        static_url="/_sandbox/docs/assets",
        title="Tenantry Partner Center sandbox",
        description="Partner Center and the Microsoft identity platform, for development and tests.",
        version="1.0",
        lifespan=lifespan,
        default_response_class=PartnerCenterJSONResponse,
        docs_url="/_sandbox/docs",
        openapi_url="/_sandbox/openapi.json",
        redoc_url=None,
    )
    app.state.sandbox = state
    install_error_handlers(app)
    app.include_router(auth.router)
    app.include_router(control.router)
    for router in discover_routers():
        app.include_router(router)
    # Added innermost first: the last one added wraps all the others.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(FaultMiddleware)
    app.add_middleware(PartnerCenterHeadersMiddleware)
    quiet_server_logs()
    return app
