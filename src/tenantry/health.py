"""Liveness for load balancers (/healthz) and Prometheus metrics (/metrics)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from tenantry.db import Database
from tenantry.worker_metrics import scraped

router = APIRouter(tags=["operations"])


async def _check_database(database: Database) -> str:
    async with database.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return "ok"


async def _check_queue(request: Request) -> str:
    queue = getattr(request.app.state, "queue", None)
    if queue is None:
        return "not configured"
    await asyncio.to_thread(queue.ping)
    return "ok"


@router.get("/healthz", summary="Database and queue reachable", include_in_schema=False)
async def healthz(request: Request) -> JSONResponse:
    checks: dict[str, Any] = {}
    healthy = True
    for name, check in (
        ("database", _check_database(request.app.state.database)),
        ("queue", _check_queue(request)),
    ):
        try:
            checks[name] = await asyncio.wait_for(check, timeout=5)
        except Exception as exc:
            checks[name] = f"error: {type(exc).__name__}: {exc}"
            healthy = False
    return JSONResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": checks},
        status_code=200 if healthy else 503,
    )


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(scraped()), media_type=CONTENT_TYPE_LATEST)


@router.get("/api/v1/ping", summary="Answer at once, touching nothing (the benchmark's baseline)")
async def ping() -> dict[str, str]:
    return {"status": "ok"}
