"""A worker process that runs one sync run, for the tests that kill it mid-run.

``python -m tests.sync.worker <database url> <sandbox database url> <run id> <latency ms>``:
the Partner Center sandbox runs in this process over the given sandbox database (shared with
the test process), with ``latency ms`` added to every request, so the run is slow enough to be
killed between two pages.
"""

from __future__ import annotations

import asyncio
import sys
import uuid

import httpx

from tenantry.db import Database
from tenantry.partnercenter import access
from tenantry.settings import Settings
from tenantry.sync.engine import run_sync
from tenantry_sandbox import SandboxSettings
from tenantry_sandbox import create_app as create_sandbox

BASE_URL = "http://sandbox.test"
RATE = 30_000


async def main(database_url: str, sandbox_url: str, run_id: uuid.UUID, latency_ms: int) -> None:
    sandbox = create_sandbox(
        SandboxSettings(database_url=sandbox_url, base_url=BASE_URL, smtp_port=0)
    )
    await sandbox.state.sandbox.ensure_started()
    transport = httpx.ASGITransport(app=sandbox)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as control:
        # The published 500 a minute would make the test wait; its spreading is the client's.
        limits = await control.put("/_sandbox/rate-limits", json={"requestsPerMinute": RATE})
        limits.raise_for_status()
        if latency_ms:
            rule = {"kind": "latency", "rate": 1.0, "latencyMs": latency_ms, "path": "/v1/*"}
            answer = await control.put("/_sandbox/faults", json={"rules": [rule]})
            answer.raise_for_status()
    settings = Settings(
        database_url=database_url, partner_center_api_url=BASE_URL,
        partner_center_login_url=BASE_URL, partner_center_requests_per_minute=RATE,
    )  # fmt: skip
    database = Database(settings)
    try:
        await run_sync(database, access.configure(settings, transport), run_id, concurrency=2)
    finally:
        await database.dispose()
        await sandbox.state.sandbox.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], uuid.UUID(sys.argv[3]), int(sys.argv[4])))
